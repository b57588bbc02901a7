extension Int {
    /// The whole number nearest below `value`, held within `Int`'s range; 0 for NaN. For showing
    /// amounts worked out in floating point (minutes left, hours of a limit) that must never trap,
    /// whatever a row in the database holds.
    init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.2e18 {
            self = .max
        } else if value <= -9.2e18 {
            self = .min
        } else {
            self = Int(value.rounded(.down))
        }
    }
}
