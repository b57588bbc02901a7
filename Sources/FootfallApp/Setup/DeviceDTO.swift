import FootfallCore
import Vapor

enum DeviceKind: String, CaseIterable, Sendable {
    case kiosk, reader, door, wifi

    /// Kiosks and readers post device events with their key; a door's key only signs door
    /// webhooks and a Wi-Fi device's secret only speaks RADIUS.
    var postsDeviceEvents: Bool { self == .kiosk || self == .reader }
}

struct DeviceDTO: WireObject {
    var id: UUID
    var name: String
    var locationId: UUID
    var kind: String
    var direction: String
    var doors: [String: String]?
    var nasIdentifier: String?
    var nasIp: String?
    /// Wi-Fi devices only.
    var requireMessageAuthenticator: Bool?

    init(_ model: DeviceModel) {
        id = model.id!
        name = model.name
        locationId = model.locationId
        kind = model.kind
        direction = model.direction
        doors = model.doors
        nasIdentifier = model.nasIdentifier
        nasIp = model.nasIp
        requireMessageAuthenticator = model.kind == DeviceKind.wifi.rawValue ? model.requireMessageAuthenticator : nil
    }
}

/// A device as created: the only answer that carries its key.
struct CreatedDeviceDTO: WireObject {
    var id: UUID
    var name: String
    var locationId: UUID
    var kind: String
    var direction: String
    var doors: [String: String]?
    var nasIdentifier: String?
    var nasIp: String?
    var requireMessageAuthenticator: Bool?
    var key: String

    init(_ device: DeviceDTO, key: String) {
        id = device.id
        name = device.name
        locationId = device.locationId
        kind = device.kind
        direction = device.direction
        doors = device.doors
        nasIdentifier = device.nasIdentifier
        nasIp = device.nasIp
        requireMessageAuthenticator = device.requireMessageAuthenticator
        self.key = key
    }
}

struct DeviceInput: Decodable, Sendable {
    var name: String
    var locationId: UUID
    var kind: String
    var direction: String?
    var doors: [String: String]?
    var nasIdentifier: String?
    var nasIp: String?
    var requireMessageAuthenticator: Bool?

    func model() throws -> DeviceModel {
        guard let kind = DeviceKind(rawValue: kind) else {
            throw APIError.invalidRequest(field: "kind", detail: "must be kiosk, reader, door or wifi.")
        }
        let direction = direction ?? Direction.toggle.rawValue
        guard Direction(rawValue: direction) != nil else {
            throw APIError.invalidRequest(field: "direction", detail: "must be in, out or toggle.")
        }
        if let doors {
            guard kind == .door else { throw APIError.invalidRequest(field: "doors", detail: "is only for door devices.") }
            if let (door, _) = doors.first(where: { Direction(rawValue: $0.value) == nil }) {
                throw APIError.invalidRequest(field: "doors.\(door)", detail: "must be in, out or toggle.")
            }
        }
        if kind != .wifi, nasIdentifier != nil || nasIp != nil {
            throw APIError.invalidRequest(field: nasIdentifier != nil ? "nasIdentifier" : "nasIp", detail: "is only for wifi devices.")
        }
        if kind != .wifi, requireMessageAuthenticator != nil {
            throw APIError.invalidRequest(field: "requireMessageAuthenticator", detail: "is only for wifi devices.")
        }
        if let nasIp, !Self.isIPAddress(nasIp) {
            throw APIError.invalidRequest(field: "nasIp", detail: "must be an IPv4 or IPv6 address.")
        }
        let model = DeviceModel()
        model.name = try Check.nonEmpty(name, "name")
        model.locationId = locationId
        model.kind = kind.rawValue
        model.direction = direction
        model.doors = kind == .door ? (doors ?? [:]) : nil
        model.nasIdentifier = nasIdentifier
        model.nasIp = nasIp
        model.requireMessageAuthenticator = requireMessageAuthenticator ?? true
        return model
    }

    /// The device's fields with this change's given ones over them, checked as a new device's
    /// would be. The kind stays: a key made for one kind is not meant for another.
    static func patched(_ model: DeviceModel, with change: DevicePatch) throws -> DeviceModel {
        if let kind = change.kind, kind != model.kind {
            throw APIError.invalidRequest(field: "kind", detail: "cannot change; remove the device and create another.")
        }
        return try DeviceInput(name: change.name ?? model.name, locationId: change.locationId ?? model.locationId, kind: model.kind,
                               direction: change.direction ?? model.direction, doors: change.doors.applied(to: model.doors),
                               nasIdentifier: change.nasIdentifier.applied(to: model.nasIdentifier), nasIp: change.nasIp.applied(to: model.nasIp),
                               requireMessageAuthenticator: change.requireMessageAuthenticator
                                   ?? (model.kind == DeviceKind.wifi.rawValue ? model.requireMessageAuthenticator : nil)).model()
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var v4 = in_addr(), v6 = in6_addr()
        return inet_pton(AF_INET, text, &v4) == 1 || inet_pton(AF_INET6, text, &v6) == 1
    }
}

/// `PATCH /api/v1/devices/{id}`: the fields to change; null clears the door map or a NAS field.
struct DevicePatch: Decodable, Sendable {
    var name: String?
    var locationId: UUID?
    var kind: String?
    var direction: String?
    var doors: Patch<[String: String]>
    var nasIdentifier: Patch<String>
    var nasIp: Patch<String>
    var requireMessageAuthenticator: Bool?

    enum CodingKeys: String, CodingKey { case name, locationId, kind, direction, doors, nasIdentifier, nasIp, requireMessageAuthenticator }

    init(name: String?, locationId: UUID?, kind: String?, direction: String?, doors: Patch<[String: String]>,
         nasIdentifier: Patch<String>, nasIp: Patch<String>, requireMessageAuthenticator: Bool?) {
        self.name = name
        self.locationId = locationId
        self.kind = kind
        self.direction = direction
        self.doors = doors
        self.nasIdentifier = nasIdentifier
        self.nasIp = nasIp
        self.requireMessageAuthenticator = requireMessageAuthenticator
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeUnlessAbsent(String.self, forKey: .name)
        locationId = try container.decodeUnlessAbsent(UUID.self, forKey: .locationId)
        kind = try container.decodeUnlessAbsent(String.self, forKey: .kind)
        direction = try container.decodeUnlessAbsent(String.self, forKey: .direction)
        doors = try container.decodePatch([String: String].self, forKey: .doors)
        nasIdentifier = try container.decodePatch(String.self, forKey: .nasIdentifier)
        nasIp = try container.decodePatch(String.self, forKey: .nasIp)
        requireMessageAuthenticator = try container.decodeUnlessAbsent(Bool.self, forKey: .requireMessageAuthenticator)
    }
}
