import NIOConcurrencyHelpers

extension Task where Success == Void, Failure == Never {
    /// Cancels a background loop and waits for it to end, but not longer than `limit`: at
    /// shutdown its query should not hold a connection past the databases' closing, nor should a
    /// stalled database hold shutdown up for ever.
    func stop(waitingAtMost limit: Duration = .seconds(10)) async {
        cancel()
        let finished = NIOLockedValueBox(false)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            @Sendable func finish() {
                let first = finished.withLockedValue { done in defer { done = true }; return !done }
                if first { continuation.resume() }
            }
            Task<Void, Never> { await self.value; finish() }
            Task<Void, Never> { try? await Task<Never, Never>.sleep(for: limit); finish() }
        }
    }
}
