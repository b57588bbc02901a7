@testable import FootfallApp
import NIOConcurrencyHelpers

/// The ledger's writer held busy by a write of the test's own until released: writes sent
/// meanwhile wait behind it, as they do behind a long turn.
struct HeldWriter: Sendable {
    private let released: NIOLockedValueBox<Bool>
    private let busy: Task<Void, any Error>

    /// Returns once the writer is inside the holding write.
    static func hold(_ writer: LedgerWriter) async throws -> HeldWriter {
        let started = NIOLockedValueBox(false), released = NIOLockedValueBox(false)
        let busy = Task {
            try await writer.perform { _ in
                started.withLockedValue { $0 = true }
                while !released.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            }
        }
        while !started.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        return HeldWriter(released: released, busy: busy)
    }

    /// Lets the writer go, and waits for the holding write to end.
    func release() async throws {
        letGo()
        try await busy.value
    }

    /// Lets the writer go without waiting: for a `defer`, so that a test failing while it holds
    /// the writer does not leave it held.
    func letGo() { released.withLockedValue { $0 = true } }
}
