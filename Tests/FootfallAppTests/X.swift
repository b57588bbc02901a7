import Testing
import VaporTesting
@Test func x() {}
