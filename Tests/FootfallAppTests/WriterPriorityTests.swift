@testable import FootfallApp
import Foundation
#if os(Linux)
import Glibc
#endif
import Testing

@Suite("The ledger's writer is favoured when the cores are busy")
struct WriterPriorityTests {
    /// Every device's answer waits for the writer's turn, so its thread runs at a lower nice
    /// value than request handling, when the process may have one (root here, or an
    /// `RLIMIT_NICE` that allows it); the rest of the server keeps the nice value it started with.
    @Test(.enabled(if: geteuid() == 0, "a lower nice value needs root or an RLIMIT_NICE allowing it"), .timeLimit(.minutes(6)))
    func theWritersThreadAloneRunsAtALowerNiceValue() async throws {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let started = getpriority(which, 0)
        try await withFootfall { api in
            let writer = try await api.app.ledger.writer.perform { _ in getpriority(which, 0) }
            #expect(writer == WriterThread.favouredNice)
            #expect(WriterThread.favouredNice < 0)
            // A request is handled at the nice value the server started with.
            let location = try await api.location()
            let reader = try await api.device(at: location)
            #expect(try await reader.send("card", "0A0B0C0D").result == "refused")
            #expect(getpriority(which, 0) == started)
            // The event loops that serve HTTP (on PostgreSQL the writer has one of its own).
            let loops = try Self.threads().filter { $0.name.hasPrefix("NIO-SGLTN") }
            #expect(!loops.isEmpty)
            for thread in loops { #expect(thread.nice == started, "\(thread.name)") }
        }
    }

    /// This process's threads, with their names and nice values, from `/proc/self/task`.
    private static func threads() throws -> [(name: String, nice: Int32)] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").compactMap { tid in
            let stat = try String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8)
            // `pid (comm) state ppid …`: the nice value is the 19th field, the 17th after the name.
            guard let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let nice = Int32(fields[16]) else { return nil }
            return (String(stat[stat.index(after: open)..<close]), nice)
        }
    }
}
