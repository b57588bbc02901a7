import FootfallCore

/// The component schemas of `/openapi.json`, one per wire object.
extension OpenAPIDocument {
    enum Schemas {
        private static let uuid = OpenAPIDocument.uuid
        private static let time = OpenAPIDocument.time
        private static func ref(_ name: String) -> JSONValue { OpenAPIDocument.ref(name) }
        private static func nullable(_ schema: JSONValue) -> JSONValue { OpenAPIDocument.nullable(schema) }
        private static func object(_ properties: [String: JSONValue], optional: Set<String> = []) -> JSONValue {
            OpenAPIDocument.object(properties, optional: optional)
        }
        private static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map(JSONValue.string))] }
        private static let string: JSONValue = ["type": "string"]
        private static let integer: JSONValue = ["type": "integer"]
        private static let localTime: JSONValue = ["type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$"]
        private static let uuids: JSONValue = ["type": "array", "items": uuid]

        static let all: [String: JSONValue] = [
            "Problem": object([
                "type": string, "title": string, "status": integer, "detail": string,
                "code": ["type": "string", "description": "Stable snake_case code"],
                "reason": ref("ReasonCode"), "failedCheckInId": uuid,
                "errors": ["type": "array", "description": "invalid_import: every bad line", "items": ref("ImportProblem")],
            ], optional: ["reason", "failedCheckInId", "errors"]),
            "ImportProblem": object(["line": integer, "column": string, "code": string, "detail": string]),
            "ImportSummary": object(["created": integer, "updated": integer, "unchanged": integer]),
            "ReasonCode": enumeration(ReasonCode.allCases.map(\.rawValue)),
            "Method": enumeration(CheckInMethod.allCases.map(\.rawValue)),
            "Health": object(["status": enumeration(["ok"])]),
            "WeeklySchedule": [
                "type": "object",
                "description": "Local times per weekday, e.g. {\"mon\":[[\"08:00\",\"20:00\"]]}; a weekday left out is closed.",
                "propertyNames": enumeration(Weekday.allCases.map(\.rawValue)),
                "additionalProperties": ["type": "array", "items": ["type": "array", "items": localTime, "minItems": 2, "maxItems": 2]],
            ],

            "Location": object([
                "id": uuid, "name": string, "timeZone": string, "capacity": nullable(integer),
                "openingHours": nullable(ref("WeeklySchedule")), "cutoffTime": localTime,
            ]),
            "LocationInput": object([
                "name": string, "timeZone": ["type": "string", "description": "IANA time zone, e.g. Europe/Berlin"],
                "capacity": nullable(["type": "integer", "minimum": 1, "maximum": .number(Double(LocationInput.maximumCapacity))]), "openingHours": nullable(ref("WeeklySchedule")),
                "cutoffTime": localTime,
            ], optional: ["capacity", "openingHours", "cutoffTime"]),

            "Limits": object([
                "period": enumeration(LimitPeriod.allCases.map(\.rawValue)),
                "hours": ["type": ["number", "null"], "exclusiveMinimum": 0, "maximum": .number(LimitsDTO.maximumHours)],
                "days": ["type": ["integer", "null"], "minimum": 1, "maximum": .number(Double(LimitsDTO.maximumDays))],
                "enforce": ["type": ["boolean", "null"], "description": "false: only report over-limit use (default true)"],
            ], optional: ["hours", "days", "enforce"]),
            "Plan": object([
                "id": uuid, "name": string, "locationIds": uuids, "accessHours": nullable(ref("WeeklySchedule")),
                "limits": nullable(ref("Limits")), "overtime": enumeration(Overtime.allCases.map(\.rawValue)),
                "payAsYouGo": nullable(ref("Rate")),
            ]),
            "PlanInput": object([
                "name": string, "locationIds": uuids, "accessHours": nullable(ref("WeeklySchedule")),
                "limits": nullable(ref("Limits")), "overtime": enumeration(Overtime.allCases.map(\.rawValue)),
                "payAsYouGo": nullable(ref("RateInput")),
            ], optional: ["locationIds", "accessHours", "limits", "overtime", "payAsYouGo"]),
            "Rate": object([
                "price": integer, "increment": integer, "dailyMinimum": nullable(integer), "dailyMaximum": nullable(integer),
            ]),
            "RateInput": object([
                "price": amount, "increment": ["type": ["integer", "null"], "minimum": 1, "maximum": 1440, "description": "Minutes (default 15)"],
                "dailyMinimum": nullable(amount), "dailyMaximum": nullable(amount),
            ], optional: ["increment", "dailyMinimum", "dailyMaximum"]),

            "Customer": object([
                "id": uuid, "name": string, "email": string, "planId": nullable(uuid), "active": ["type": "boolean"], "hasPin": ["type": "boolean"],
                "kind": enumeration(CustomerKind.allCases.map(\.rawValue)), "payAsYouGo": nullable(ref("Rate")),
            ]),
            "CustomerInput": object([
                "name": string, "email": string, "planId": nullable(uuid), "active": ["type": "boolean"],
                "payAsYouGo": nullable(ref("RateInput")),
            ], optional: ["planId", "active", "payAsYouGo"]),
            "PinInput": object(["pin": ["type": "string", "pattern": "^[0-9]{4,8}$"]]),
            "CardInput": object(["number": string, "format": enumeration(CardNumber.Format.allCases.map(\.rawValue))], optional: ["format"]),
            "Card": object(["id": uuid, "normalized": string]),
            "AccessTokenInput": object(allowanceInput.merging([
                "expiresAt": nullable(time),
                "chap": ["type": "boolean", "description": "Also for CHAP logins: the server then keeps the password itself, not only its hash"],
            ]) { $1 }, optional: ["expiresAt", "chap", "minutes", "validFrom", "validUntil", "locationIds", "maxDevices"]),
            "AccessToken": object([
                "id": uuid, "customerId": uuid, "username": string, "password": ["type": "string", "description": "Shown once"],
                "expiresAt": nullable(time), "minutes": nullable(integer), "validFrom": nullable(time), "validUntil": nullable(time),
                "locationIds": nullable(uuids), "maxDevices": nullable(integer),
            ]),
            "AccessTokenStatus": object([
                "id": uuid, "customerId": uuid, "username": string, "label": nullable(string), "expiresAt": nullable(time),
                "hasAllowance": ["type": "boolean", "description": "Admits on Wi-Fi by itself, within its minutes, validity and locations"],
                "minutes": nullable(integer), "remainingMinutes": nullable(integer), "validFrom": nullable(time), "validUntil": nullable(time),
                "locationIds": nullable(uuids), "maxDevices": nullable(integer), "devicesOnline": integer, "createdAt": nullable(time),
            ]),
            "VisitorBatchInput": object(allowanceInput.merging([
                "label": ["type": "string", "minLength": 1, "maxLength": 200, "description": "Visitors are named the label and their number"],
                "count": ["type": "integer", "minimum": 1, "maximum": .number(Double(VisitorBatchInput.maximumCount))],
            ]) { $1 }, optional: ["minutes", "validFrom", "validUntil", "locationIds", "maxDevices"]),
            "WebhookInput": object([
                "url": ["type": "string", "maxLength": 2000, "description": "http or https; redirects are not followed"],
                "events": ["type": "array", "minItems": 1, "items": enumeration(WebhookEvent.allCases.map(\.rawValue))],
                "locationIds": uuids, "description": nullable(string), "active": ["type": "boolean"],
            ], optional: ["locationIds", "description", "active"]),
            "Webhook": object(webhookProperties),
            "CreatedWebhook": object(webhookProperties.merging([
                "secret": ["type": "string", "description": "whsec_ and the base64 of 32 random bytes; shown once"],
            ]) { $1 }),
            "Delivery": object([
                "id": uuid, "webhookId": ["type": "string", "description": "The webhook-id header, the same on every attempt"],
                "type": string, "status": enumeration(DeliveryStatus.allCases.map(\.rawValue)), "attempts": integer,
                "lastResponseStatus": nullable(integer), "lastError": nullable(string), "nextAttemptAt": nullable(time),
                "createdAt": time, "deliveredAt": nullable(time),
            ]),
            "Charge": object([
                "id": uuid, "customerId": nullable(uuid), "locationId": uuid, "day": ["type": "string", "format": "date"],
                "minutes": integer, "amount": ["type": "integer", "description": "Minor units of currency"],
                "currency": ["type": "string", "description": "ISO 4217"], "status": enumeration(["pending", "final"]), "checkInIds": uuids,
            ]),
            "ExternalIdInput": object(["system": string, "externalId": string]),
            "ExternalId": object(["id": uuid, "customerId": uuid, "system": string, "externalId": string]),
            "MemberLink": object(["url": string]),

            "Pass": object([
                "id": uuid, "customerId": uuid, "kind": enumeration(PassKind.allCases.map(\.rawValue)),
                "minutes": nullable(integer), "remainingMinutes": nullable(integer), "validFrom": nullable(time),
                "validUntil": nullable(time), "locationIds": uuids,
                "usedOn": ["type": "array", "items": ["type": "string", "format": "date"]],
            ]),
            "PassInput": object([
                "kind": enumeration(PassKind.allCases.map(\.rawValue)),
                "minutes": ["type": "integer", "minimum": 1, "maximum": .number(Double(PassInput.maximumMinutes))],
                "validFrom": time, "validUntil": time, "locationIds": uuids,
            ], optional: ["minutes", "validFrom", "validUntil", "locationIds"]),
            "Usage": object([
                "period": object(["start": time, "end": time]), "limits": nullable(ref("Limits")),
                "usedMinutes": integer, "usedDays": integer, "remainingMinutes": nullable(integer), "remainingDays": nullable(integer),
                "overtimeMinutes": integer, "overLimit": ["type": "boolean"],
                "passes": ["type": "array", "items": object([
                    "id": uuid, "kind": string, "remainingMinutes": nullable(integer), "usedOn": nullable(["type": "string", "format": "date"]),
                ])],
            ]),

            "Device": object(deviceProperties),
            "CreatedDevice": object(deviceProperties.merging(["key": ["type": "string", "description": "Shown once"]]) { $1 }),
            "DeviceInput": object([
                "name": string, "locationId": uuid, "kind": enumeration(DeviceKind.allCases.map(\.rawValue)),
                "direction": enumeration(Direction.allCases.map(\.rawValue)),
                "doors": ["type": "object", "additionalProperties": enumeration(Direction.allCases.map(\.rawValue))],
                "nasIdentifier": string, "nasIp": string, "requireMessageAuthenticator": requireMessageAuthenticator,
            ], optional: ["direction", "doors", "nasIdentifier", "nasIp", "requireMessageAuthenticator"]),
            "DevicePatch": object([
                "name": string, "locationId": uuid, "kind": enumeration(DeviceKind.allCases.map(\.rawValue)),
                "direction": enumeration(Direction.allCases.map(\.rawValue)),
                "doors": nullable(["type": "object", "additionalProperties": enumeration(Direction.allCases.map(\.rawValue))]),
                "nasIdentifier": nullable(string), "nasIp": nullable(string), "requireMessageAuthenticator": requireMessageAuthenticator,
            ], optional: ["name", "locationId", "kind", "direction", "doors", "nasIdentifier", "nasIp", "requireMessageAuthenticator"]),

            "DeviceEventInput": object([
                "eventId": ["type": "string", "minLength": 1, "maxLength": 200, "description": "Unique per device; retries reuse it"],
                "type": enumeration(CredentialType.deviceEventTypes.map(\.rawValue)),
                "value": ["type": "string", "minLength": 1, "maxLength": 200], "at": time,
            ], optional: ["at"]),
            "DoorEventInput": object([
                "eventId": ["type": "string", "minLength": 1, "maxLength": 200, "description": "Unique per device; retries reuse it"],
                "occurredAt": time, "doorId": ["type": "string", "minLength": 1, "maxLength": 200],
                "user": ["type": "object", "description": "Matched by external id (system generic), else by email",
                         "properties": ["externalId": string, "email": string], "minProperties": 1],
            ]),
            "KisiEvent": ["type": "object", "required": ["uuid", "type", "created_at"], "properties": [
                "uuid": string, "type": string, "success": ["type": "boolean"], "actor_type": string,
                "actor_id": ["type": ["integer", "string"]], "actor_name": string, "actor_email": string, "object_type": string,
                "object_id": ["type": ["integer", "string"]], "object_name": string, "place_id": ["type": ["integer", "string"]],
                "created_at": time,
            ]],
            "PresenceReport": object(["items": ["type": "array", "items": object([
                "key": ["type": "string", "description": "Customer id, plan id (passes: \"passes\") or the day (YYYY-MM-DD)"],
                "label": string, "visits": integer, "minutes": integer, "uniqueCustomers": integer,
            ])]]),
            "OccupancyReport": object(["items": ["type": "array", "items": object([
                "start": time, "peak": integer, "average": ["type": "number"],
            ])]]),
            "DeviceEventAnswer": object([
                "result": enumeration(["checked_in", "checked_out", "already_in", "not_checked_in", "ignored_repeat", "ignored", "refused"]),
                "reason": ref("ReasonCode"), "customer": object(["id": uuid, "name": string]), "checkIn": ref("CheckIn"),
            ], optional: ["reason", "customer", "checkIn"]),
            "CheckIn": object([
                "id": uuid, "customerId": uuid, "locationId": uuid, "checkedInAt": time, "checkedOutAt": nullable(time),
                "method": ref("Method"), "checkOutMethod": nullable(ref("Method")), "deviceId": nullable(uuid),
                "admittedBy": ["type": "object", "properties": ["plan": uuid, "pass": uuid, "accessToken": uuid, "payAsYouGo": ["const": true]],
                               "minProperties": 0, "maxProperties": 1],
            ]),
            "CheckInInput": object(["customerId": uuid, "locationId": uuid, "at": time], optional: ["at"]),
            "CheckOutInput": object(["at": time], optional: ["at"]),
            "CheckInEdit": object(["checkedInAt": time, "checkedOutAt": time], optional: ["checkedInAt", "checkedOutAt"]),
            "FailedCheckIn": object([
                "id": uuid, "at": time, "locationId": uuid, "method": ref("Method"), "deviceId": nullable(uuid),
                "customerId": nullable(uuid), "credential": nullable(string), "reason": ref("ReasonCode"),
            ]),
            "Presence": object([
                "locationId": uuid, "count": integer, "capacity": nullable(integer),
                "items": ["type": "array", "items": object([
                    "checkInId": uuid, "customer": object(["id": uuid, "name": string]), "checkedInAt": time, "method": ref("Method"),
                ])],
            ]),
        ]

        /// The inputs whose optional fields take null as "not given" (they are decoded the plain
        /// way); saying so keeps the document exact about what the server accepts.
        private static let nullMeansAbsent = ["Limits", "CardInput", "AccessTokenInput", "VisitorBatchInput", "PassInput", "DeviceInput", "DeviceEventInput",
                                              "CheckInInput", "CheckOutInput", "CheckInEdit"]

        private static let document: [String: JSONValue] = all.merging(nullMeansAbsent.map { name in
            guard case .object(var schema)? = all[name], case .object(var properties)? = schema["properties"] else { preconditionFailure("no schema \(name)") }
            let required: Set<String> = if case .array(let names)? = schema["required"] {
                Set(names.compactMap { if case .string(let name) = $0 { name } else { nil } })
            } else { [] }
            for (field, property) in properties where !required.contains(field) {
                if case .object(let fields) = property, fields["anyOf"] != nil { continue }
                properties[field] = nullable(property)
            }
            schema["properties"] = .object(properties)
            return (name, JSONValue.object(schema))
        }) { _, patched in patched }

        /// The create inputs again for PATCH, where every field may be left out.
        static let withPatches: [String: JSONValue] = document.merging(
            ["LocationInput": "LocationPatch", "PlanInput": "PlanPatch", "CustomerInput": "CustomerPatch", "WebhookInput": "WebhookPatch"].map { input, patch in
                guard case .object(var schema)? = all[input] else { preconditionFailure("no schema \(input)") }
                schema["required"] = nil
                return (patch, JSONValue.object(schema))
            }) { first, _ in first }

        private static let webhookProperties: [String: JSONValue] = [
            "id": uuid, "url": string, "events": ["type": "array", "items": enumeration(WebhookEvent.allCases.map(\.rawValue))],
            "locationIds": uuids, "description": nullable(string), "active": ["type": "boolean"], "createdAt": nullable(time),
        ]

        private static let amount: JSONValue = ["type": "integer", "minimum": 0, "maximum": .number(Double(RateDTO.maximumAmount)),
                                                "description": "Minor units of the server's currency"]

        /// What a token may allow by itself, on a member's token or a visitor batch.
        private static let allowanceInput: [String: JSONValue] = [
            "minutes": ["type": "integer", "minimum": 1, "maximum": .number(Double(AccessTokenInput.maximumMinutes)),
                        "description": "Wi-Fi minutes, counted down by visit time"],
            "validFrom": time, "validUntil": time, "locationIds": uuids,
            "maxDevices": ["type": "integer", "minimum": 1, "maximum": .number(Double(AccessTokenInput.maximumDevices)),
                           "description": "Devices online at once (visitor tokens: default 1; member tokens: no limit unless set)"],
        ]

        private static let deviceProperties: [String: JSONValue] = [
            "id": uuid, "name": string, "locationId": uuid, "kind": enumeration(DeviceKind.allCases.map(\.rawValue)),
            "direction": enumeration(Direction.allCases.map(\.rawValue)),
            "doors": nullable(["type": "object", "additionalProperties": enumeration(Direction.allCases.map(\.rawValue))]),
            "nasIdentifier": nullable(string), "nasIp": nullable(string),
            "requireMessageAuthenticator": ["type": ["boolean", "null"], "description": "Wi-Fi devices only; null for others"],
        ]

        private static let requireMessageAuthenticator: JSONValue = [
            "type": "boolean",
            "description": .string("Wi-Fi devices only (default true): drop Access-Requests without a valid Message-Authenticator; "
                + "false only for an old NAS that cannot send one."),
        ]
    }
}
