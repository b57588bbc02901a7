import Fluent
import FootfallCore
import Foundation

/// A device event ready for the writer, with its location, and what the writer's turn reads of
/// its device and location as plain values rather than through their models' property wrappers.
struct PreparedDeviceEvent: Sendable {
    var event: DeviceEvent
    var deviceId: UUID
    var direction: Direction
    var location: LocationModel
    /// The location's rules and zone, as the location cache keeps them (`KnownLocation`): the
    /// writer's turn reads them for every event.
    var rules: FootfallCore.Location
    /// For a card, every reading of the number it sent (`CardNumber.readings`), worked out in the
    /// request's task rather than in the writer's turn.
    var cardReadings: [String]

    init(event: DeviceEvent, location: KnownLocation) throws {
        self.event = event
        deviceId = try event.device.requireID()
        direction = event.direction
        self.location = location.model
        rules = location.rules
        cardReadings = event.type == .card ? CardNumber.readings(of: event.value).map(\.hex) : []
    }
}
