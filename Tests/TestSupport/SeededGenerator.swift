import Foundation

/// A random number generator from a seed (SplitMix64), for fuzz and property tests: a failure
/// message prints the seed, and `FOOTFALL_FUZZ_SEED=<seed>` replays that exact run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    public let seed: UInt64
    private var state: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        state = seed
    }

    /// The seed from `FOOTFALL_FUZZ_SEED`, else a new random one.
    public static func fromEnvironment() -> SeededGenerator {
        SeededGenerator(seed: ProcessInfo.processInfo.environment["FOOTFALL_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1 ... .max))
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
