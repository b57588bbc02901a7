@testable import FootfallApp
import Testing

@Suite("What the server keeps in memory for a few seconds")
struct ExpiringCacheTests {
    /// A reader's key is looked up in the database, and an admin deletes the reader before the
    /// answer arrives: the deleted reader must not be kept, or its key works on for seconds.
    @Test func aValueLoadedWhileTheCacheWasEmptiedIsNotKept() async {
        let devices = ExpiringCache<String, String>(lifetime: .seconds(10))
        let loaded = await devices.value(for: "key") {
            devices.removeAll()
            return "deleted reader"
        }
        #expect(loaded == "deleted reader")
        #expect(devices.value(for: "key") == nil)

        // Without a change meanwhile, what was loaded is kept and not loaded again.
        #expect(await devices.value(for: "key") { "reader" } == "reader")
        #expect(await devices.value(for: "key") {
            Issue.record("loaded again")
            return nil
        } == "reader")
    }
}
