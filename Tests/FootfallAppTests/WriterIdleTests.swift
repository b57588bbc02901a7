@testable import FootfallApp
import Foundation
import Testing

@Suite("The ledger's writer waits for the next write holding its connection")
struct WriterIdleTests {
    /// Between two card reads the writer keeps its connection and waits for the next write
    /// (`LedgerWriter.waitForWork`), rather than going back to the pool for it: the next read
    /// resumes it, and is decided.
    @Test(.timeLimit(.minutes(1))) func theNextReadFindsTheWriterWaitingWithItsConnection() async throws {
        try await withFootfall { api in
            let (reader, _) = try await Self.writerWaitingAfterACheckIn(api, card: "1DE1E550")
            api.clock.advance(by: 60)
            #expect(try await reader.send("card", "1DE1E550").result == "checked_out")
        }
    }

    /// Stopping the server wakes the waiting writer, which lets go of its connection at once:
    /// the stop does not wait out the time the writer is given to finish what is queued.
    @Test(.timeLimit(.minutes(1))) func stoppingTheServerDoesNotWaitForTheWaitingWriter() async throws {
        try await withFootfall { api in
            let (_, writer) = try await Self.writerWaitingAfterACheckIn(api, card: "1DE1E551")
            let started = ContinuousClock.now
            await writer.finish(within: .seconds(10))
            #expect(ContinuousClock.now - started < .seconds(2))
            #expect(writer.step.withLockedValue { $0.name } == "idle")
        }
    }

    /// A reader whose member `card` has checked in, and the writer once it waits (up to 10 s)
    /// for the next write.
    private static func writerWaitingAfterACheckIn(_ api: API, card: String) async throws -> (TestDevice, LedgerWriter) {
        let reader = try await api.device(at: try await api.location())
        _ = try await api.member(card: card)
        #expect(try await reader.send("card", card).result == "checked_in")
        let writer = api.app.ledger.writer
        let started = ContinuousClock.now
        while writer.step.withLockedValue({ $0.name }) != "waiting for writes" {
            try #require(ContinuousClock.now - started < .seconds(10), "the writer is at \(writer.step.withLockedValue { $0 }), not waiting for writes")
            try await Task.sleep(for: .milliseconds(1))
        }
        return (reader, writer)
    }
}
