#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// How many heaps glibc's allocator keeps for the server's threads.
///
/// glibc gives each thread that finds the allocator busy an arena of its own, up to eight per
/// core, and memory freed in one arena stays there for that arena's next allocations. The server
/// runs two event loops, the Swift task pool and eight SQLite threads, and under the mixed load of
/// `scripts/bench load` it held freed blocks in many arenas: after 90 s it used 150–155 MiB with
/// glibc's default and 114–116 MiB with two arenas, at the same rates (and `malloc_trim` by hand
/// gave back 32 MiB of a default run's 159). `MALLOC_ARENA_MAX` in the environment still decides
/// when it is set.
public enum MallocArenas {
    public static func limit(to count: Int32 = 2) {
        #if canImport(Glibc)
        guard ProcessInfo.processInfo.environment["MALLOC_ARENA_MAX"] == nil else { return }
        // mallopt and M_ARENA_MAX live in <malloc.h>, which Swift's Glibc module does not bring in.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let arenaMax: Int32 = -8
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "mallopt") else { return }
        _ = unsafeBitCast(symbol, to: Mallopt.self)(arenaMax, count)
        #endif
    }
}
