import Foundation

/// Runs a tool and returns what it wrote to standard output. The reading blocks a thread of
/// its own, never one of the few that run the servers under test in the same process.
public func runTool(_ tool: String, _ arguments: [String]) async throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: tool)
    process.arguments = arguments
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = try await offThePool { output.fileHandleForReading.readDataToEndOfFile() }
    await waitForExit(process)
    return String(decoding: data, as: UTF8.self)
}

/// Runs blocking work on a dispatch thread, so that it holds none of the cooperative pool's.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// Waits up to 30 s for a process to end, polling: Foundation's `waitUntilExit` spins a run loop
/// on the calling thread.
public func waitForExit(_ process: Process) async {
    for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(100)) }
}

/// Kills a process and every process below it (a browser's driver and the browser it started,
/// which would otherwise live on without it), by their parents as `/proc` lists them.
public func killProcessTree(_ root: pid_t) {
    guard root > 1, root != getpid() else { return }
    var parents: [pid_t: pid_t] = [:]
    for entry in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
        guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/stat") else { continue }
        // The name may hold any bytes; what follows it is ASCII.
        let stat = String(decoding: data, as: UTF8.self)
        guard let end = stat.lastIndex(of: ")") else { continue }
        // After the name in parentheses: the state, then the parent's id.
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        if fields.count > 1, let parent = pid_t(fields[1]) { parents[pid] = parent }
    }
    var tree = [root], index = 0
    while index < tree.count {
        let parent = tree[index]
        tree += parents.filter { $0.value == parent }.map(\.key)
        index += 1
    }
    for pid in tree { kill(pid, SIGKILL) }
}
