/// Lets one task at a time through, in arrival order, without blocking a thread.
///
/// The ledger's writes go through one gate per process: on SQLite that keeps two transactions
/// from deadlocking on the single writer lock, and on PostgreSQL it spares the database the
/// races that the unique index would otherwise settle.
actor SerialGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await enter()
        do {
            let result = try await body()
            leave()
            return result
        } catch {
            leave()
            throw error
        }
    }

    private func enter() async {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
    }

    private func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }
}
