import FootfallCore
import Foundation

/// A device event ready for the writer, with its location.
struct PreparedDeviceEvent: Sendable {
    var event: DeviceEvent
    var location: LocationModel
    /// The location's rules and zone, as the location cache keeps them (`KnownLocation`): the
    /// writer's turn reads them for every event.
    var rules: FootfallCore.Location
    /// For a card, every reading of the number it sent (`CardNumber.readings`), worked out in the
    /// request's task rather than in the writer's turn.
    var cardReadings: [String]

    init(event: DeviceEvent, location: KnownLocation) {
        self.event = event
        self.location = location.model
        rules = location.rules
        cardReadings = event.type == .card ? CardNumber.readings(of: event.value).map(\.hex) : []
    }
}
