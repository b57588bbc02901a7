@testable import FootfallApp
import Foundation
#if os(Linux)
import Glibc
#endif
import NIOConcurrencyHelpers
import Testing

@Suite("The ledger's writer is favoured when the cores are busy")
struct WriterPriorityTests {
    /// Every device's answer waits for the writer's turn, so under `footfall serve` its thread
    /// runs at a lower nice value than request handling, when the process may have one (root
    /// here, or an `RLIMIT_NICE` that allows it). The rest of the server keeps the nice value it started
    /// with, threads that the writer's thread starts too (as libdispatch does, when it hands
    /// work over and no worker is free).
    @Test(.enabled(if: geteuid() == 0, "a lower nice value needs root or an RLIMIT_NICE allowing it"), .timeLimit(.minutes(6)))
    func theWritersThreadAloneRunsAtALowerNiceValue() async throws {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        // The process's own (its main thread's): the test's task may run on any thread.
        let started = try #require(Self.nice(ofThread: "self"))
        try await withFootfall(settings: { $0.favourWriter = true }) { api in
            let (writer, startedByWriter) = try await api.app.ledger.writer.perform { _ in
                let child = NIOLockedValueBox<Int32?>(nil)
                let done = DispatchSemaphore(value: 0)
                Thread {
                    child.withLockedValue { $0 = getpriority(which, 0) }
                    done.signal()
                }.start()
                done.wait()
                return (getpriority(which, 0), child.withLockedValue { $0 })
            }
            #expect(writer == WriterThread.favouredNice)
            #expect(WriterThread.favouredNice < 0)
            #expect(startedByWriter == started)
            // The event loops that serve HTTP (on PostgreSQL the writer has one of its own),
            // after a request.
            let location = try await api.location()
            let reader = try await api.device(at: location)
            #expect(try await reader.send("card", "0A0B0C0D").result == "refused")
            let loops = Self.threads().filter { $0.name.hasPrefix("NIO-SGLTN") }
            #expect(!loops.isEmpty)
            for thread in loops { #expect(thread.nice == started, "\(thread.name)") }
        }
    }

    /// This process's threads, with their names and nice values, from `/proc/self/task`; a
    /// thread that ends while they are read is left out.
    private static func threads() -> [(name: String, nice: Int32)] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { tid in
            guard let stat = try? String(contentsOfFile: "/proc/self/task/\(tid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")"), let nice = niceField(stat)
            else { return nil }
            return (String(stat[stat.index(after: open)..<close]), nice)
        }
    }

    private static func nice(ofThread path: String) -> Int32? {
        (try? String(contentsOfFile: "/proc/\(path)/stat", encoding: .utf8)).flatMap(niceField)
    }

    /// `pid (comm) state ppid …`: the nice value is the 19th field, the 17th after the name.
    private static func niceField(_ stat: String) -> Int32? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        return fields.count > 16 ? Int32(fields[16]) : nil
    }
}
