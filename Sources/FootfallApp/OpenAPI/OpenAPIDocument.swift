import Vapor

/// `/openapi.json`: the OpenAPI 3.1 description of every endpoint the server answers.
/// Tests check it against the routes the app really registers.
enum OpenAPIDocument {
    static func response() -> Response {
        let response = Response(status: .ok)
        try? response.content.encode(document, using: RFC3339.jsonEncoder())
        return response
    }

    static let document: JSONValue = [
        "openapi": "3.1.0",
        "info": [
            "title": "Footfall",
            "version": "1.0.0",
            "description": "Check-in server for coworking spaces. Errors are application/problem+json with a stable `code`.",
        ],
        "servers": [["url": "/"]],
        "security": [["bearerAuth": []]],
        "paths": .object(paths.mapValues(mayBeUnavailable)),
        "components": [
            "securitySchemes": [
                "bearerAuth": ["type": "http", "scheme": "bearer"],
                "footfallSignature": ["type": "apiKey", "in": "header", "name": "Footfall-Signature",
                                      "description": "t=UNIX_SECONDS,v1=HEX: HMAC-SHA256 with the door device's key over \"{t}.{raw body}\"; t within 300 s of now"],
                "kisiSignature": ["type": "apiKey", "in": "header", "name": "X-Signature",
                                  "description": "Hex HMAC-SHA256 of the raw body with the door device's key"],
            ],
            "schemas": .object(Schemas.withPatches),
        ],
    ]

    /// Every operation but a read may answer 503: the ledger's writer failed what was waiting for
    /// it, unwritten, because the server is stopping or the database cannot be reached.
    private static func mayBeUnavailable(_ item: JSONValue) -> JSONValue {
        guard case .object(var methods) = item else { return item }
        for (method, operation) in methods where method != "get" {
            guard case .object(var fields) = operation, case .object(var responses)? = fields["responses"] else { continue }
            responses["503"] = [
                "description": "shutting_down (the server is stopping) or database_unavailable: nothing was written; send the same request again after Retry-After seconds",
                "content": ["application/problem+json": ["schema": ref("Problem")]],
            ]
            fields["responses"] = .object(responses)
            methods[method] = .object(fields)
        }
        return .object(methods)
    }

    /// Method and path of every operation, for the test that compares them with the routes.
    static var operations: [(method: String, path: String)] {
        paths.flatMap { path, item -> [(method: String, path: String)] in
            guard case .object(let methods) = item else { return [] }
            return methods.keys.map { ($0.uppercased(), path) }
        }
    }

    private static let paths: [String: JSONValue] = [
        "/healthz": ["get": operation("health", "Database reachable", tag: "operations", responses: [200: ("OK", ref("Health"))], open: true)],
        "/openapi.json": ["get": operation("openapi", "This document", tag: "operations", responses: [200: ("OpenAPI 3.1 document", ["type": "object"])], open: true)],
        "/metrics": ["get": operation("metrics", "Prometheus text format 0.0.4; open unless FOOTFALL_METRICS_TOKEN is set (then that bearer token)",
                                      tag: "operations", responses: [200: ("Metrics", ["type": "string"])], open: true, answers: "text/plain")],

        "/api/v1/locations": [
            "post": operation("createLocation", "Create a location", tag: "locations", body: "LocationInput",
                              responses: [201: ("Created", ref("Location"))]),
            "get": operation("listLocations", "List locations", tag: "locations", parameters: pageParameters,
                             responses: [200: ("A page of locations", page("Location"))]),
        ],
        "/api/v1/locations/{locationId}": [
            "get": operation("getLocation", "Get a location", tag: "locations", parameters: [path("locationId")],
                             responses: [200: ("The location", ref("Location"))]),
            "patch": operation("updateLocation", "Change a location; null clears capacity or opening hours", tag: "locations",
                               parameters: [path("locationId")], body: "LocationPatch", responses: [200: ("The location", ref("Location"))]),
            "delete": operation("deleteLocation", "Delete a location without history (409 location_in_use otherwise)", tag: "locations",
                                parameters: [path("locationId")], responses: [204: ("Deleted", nil), 409: ("location_in_use", ref("Problem"))]),
        ],
        "/api/v1/locations/{locationId}/presence": [
            "get": operation("presence", "Who is in now", tag: "check-ins", parameters: [path("locationId")],
                             responses: [200: ("Presence", ref("Presence"))]),
        ],

        "/api/v1/plans": [
            "post": operation("createPlan", "Create a plan", tag: "plans", body: "PlanInput", responses: [201: ("Created", ref("Plan"))]),
            "get": operation("listPlans", "List plans", tag: "plans", parameters: pageParameters, responses: [200: ("A page of plans", page("Plan"))]),
        ],
        "/api/v1/plans/{planId}": [
            "get": operation("getPlan", "Get a plan", tag: "plans", parameters: [path("planId")], responses: [200: ("The plan", ref("Plan"))]),
            "patch": operation("updatePlan", "Change a plan; null clears access hours or limits", tag: "plans", parameters: [path("planId")],
                               body: "PlanPatch", responses: [200: ("The plan", ref("Plan"))]),
            "delete": operation("deletePlan", "Delete a plan no customer is on (409 plan_in_use otherwise)", tag: "plans",
                                parameters: [path("planId")], responses: [204: ("Deleted", nil), 409: ("plan_in_use", ref("Problem"))]),
        ],

        "/api/v1/customers": [
            "post": operation("createCustomer", "Create a customer", tag: "customers", body: "CustomerInput",
                              responses: [201: ("Created", ref("Customer")), 409: ("email_in_use", ref("Problem"))]),
            "get": operation("listCustomers", "List or search customers (members by default)", tag: "customers",
                             parameters: pageParameters + [query("q", "Part of the name or email", ["type": "string"]),
                                                           query("kind", "member (default) or visitor", enumeration(["member", "visitor"]))],
                             responses: [200: ("A page of customers", page("Customer"))]),
        ],
        "/api/v1/customers/{customerId}": [
            "get": operation("getCustomer", "Get a customer", tag: "customers", parameters: [path("customerId")],
                             responses: [200: ("The customer", ref("Customer"))]),
            "patch": operation("updateCustomer", "Change a customer; planId null removes the plan", tag: "customers",
                               parameters: [path("customerId")], body: "CustomerPatch",
                               responses: [200: ("The customer", ref("Customer")), 409: ("email_in_use", ref("Problem"))]),
            "delete": operation("deleteCustomer", "Erase a customer with their credentials, passes and visits", tag: "customers",
                                parameters: [path("customerId")], responses: [204: ("Deleted", nil)]),
        ],
        "/api/v1/customers/{customerId}/pin": [
            "put": operation("setPin", "Set the PIN (4 to 8 digits, unique)", tag: "customers", parameters: [path("customerId")],
                             body: "PinInput", responses: [204: ("Set", nil), 409: ("pin_in_use", ref("Problem"))]),
        ],
        "/api/v1/customers/{customerId}/cards": [
            "post": operation("addCard", "Register an RFID card", tag: "customers", parameters: [path("customerId")], body: "CardInput",
                              responses: [201: ("Registered", ref("Card")), 409: ("card_in_use", ref("Problem"))]),
        ],
        "/api/v1/customers/{customerId}/cards/{cardId}": [
            "delete": operation("removeCard", "Remove a card", tag: "customers", parameters: [path("customerId"), path("cardId")],
                                responses: [204: ("Removed", nil)]),
        ],
        "/api/v1/customers/{customerId}/access-tokens": [
            "post": operation("addAccessToken", "Create a Wi-Fi access token; the password is in this answer only", tag: "customers",
                              parameters: [path("customerId")], body: "AccessTokenInput", optionalBody: true,
                              responses: [201: ("Created", ref("AccessToken"))]),
            "get": operation("listAccessTokens", "The customer's Wi-Fi tokens, with minutes left and devices online", tag: "customers",
                             parameters: [path("customerId")] + pageParameters,
                             responses: [200: ("A page of tokens", page("AccessTokenStatus"))]),
        ],
        "/api/v1/customers/{customerId}/access-tokens/{tokenId}": [
            "delete": operation("removeAccessToken", "Remove a Wi-Fi token", tag: "customers", parameters: [path("customerId"), path("tokenId")],
                                responses: [204: ("Removed", nil)]),
        ],
        "/api/v1/visitor-tokens": [
            "post": operation("printVisitorTokens", "Print up to 500 visitor Wi-Fi tokens, each with a visitor customer of its own; "
                              + "the passwords are in this answer only", tag: "customers", body: "VisitorBatchInput",
                              responses: [201: ("Created", ["type": "object", "required": ["items"], "properties": [
                                  "items": ["type": "array", "items": ref("AccessToken")], "nextCursor": ["type": "null"],
                              ]])]),
            "get": operation("listVisitorTokens", "Visitor tokens, newest first, with minutes left and devices online", tag: "customers",
                             parameters: pageParameters, responses: [200: ("A page of tokens", page("AccessTokenStatus"))]),
        ],
        "/api/v1/webhooks": [
            "post": operation("createWebhook", "Subscribe a URL to events (Standard Webhooks); the secret is in this answer only",
                              tag: "webhooks", body: "WebhookInput", responses: [201: ("Created", ref("CreatedWebhook"))]),
            "get": operation("listWebhooks", "Webhook subscriptions", tag: "webhooks", parameters: pageParameters,
                             responses: [200: ("A page of subscriptions", page("Webhook"))]),
        ],
        "/api/v1/webhooks/{webhookId}": [
            "get": operation("getWebhook", "A subscription", tag: "webhooks", parameters: [path("webhookId")],
                             responses: [200: ("The subscription", ref("Webhook"))]),
            "patch": operation("updateWebhook", "Change a subscription; active: true switches it on again", tag: "webhooks",
                               parameters: [path("webhookId")], body: "WebhookPatch", responses: [200: ("The subscription", ref("Webhook"))]),
            "delete": operation("deleteWebhook", "Remove a subscription and its deliveries", tag: "webhooks", parameters: [path("webhookId")],
                                responses: [204: ("Removed", nil)]),
        ],
        "/api/v1/webhooks/{webhookId}/deliveries": [
            "get": operation("listDeliveries", "The subscription's deliveries, newest first", tag: "webhooks",
                             parameters: [path("webhookId")] + pageParameters, responses: [200: ("A page of deliveries", page("Delivery"))]),
        ],
        "/api/v1/webhooks/{webhookId}/deliveries/{deliveryId}/redeliver": [
            "post": operation("redeliver", "Send a delivery again, now, with the same webhook-id", tag: "webhooks",
                              parameters: [path("webhookId"), path("deliveryId")], responses: [202: ("Queued", nil)]),
        ],
        "/api/v1/webhooks/{webhookId}/ping": [
            "post": operation("ping", "Send a ping event to the endpoint", tag: "webhooks", parameters: [path("webhookId")],
                              responses: [202: ("Queued", nil)]),
        ],
        "/api/v1/charges": [
            "get": operation("listCharges", "Pay-as-you-go charges by customer, location and location day, for days that begin in "
                             + "[from, to): final ones as stored, pending ones as they stand now. Accept: text/csv gives CSV.", tag: "reports",
                             parameters: pageParameters + [
                                 query("from", nil, time, required: true), query("to", nil, time, required: true),
                                 query("customerId", nil, uuid), query("locationId", nil, uuid),
                                 query("status", nil, enumeration(["pending", "final"])),
                                 query("format", "csv: the rows as CSV, as Accept: text/csv does", enumeration(["json", "csv"])),
                             ], responses: [200: ("A page of charges", page("Charge"))], csv: true),
        ],
        "/api/v1/customers/{customerId}/external-ids": [
            "post": operation("addExternalId", "Link the customer to their id at a door system", tag: "customers",
                              parameters: [path("customerId")], body: "ExternalIdInput",
                              responses: [201: ("Linked", ref("ExternalId")), 409: ("external_id_in_use", ref("Problem"))]),
        ],
        "/api/v1/customers/{customerId}/passes": [
            "post": operation("addPass", "Give the customer a day or time pass", tag: "customers", parameters: [path("customerId")],
                              body: "PassInput", responses: [201: ("Created", ref("Pass"))]),
            "get": operation("listPasses", "The customer's passes", tag: "customers", parameters: [path("customerId")] + pageParameters,
                             responses: [200: ("A page of passes", page("Pass"))]),
        ],
        "/api/v1/customers/{customerId}/usage": [
            "get": operation("usage", "This period's plan usage and every pass's balance", tag: "customers",
                             parameters: [path("customerId"), query("at", "The moment to measure at (default now)", time),
                                          query("locationId", "Whose calendar the period follows", uuid)],
                             responses: [200: ("Usage", ref("Usage"))]),
        ],
        "/api/v1/customers/{customerId}/member-link": [
            "get": operation("memberLink", "The private link to the customer's member-code page", tag: "customers",
                             parameters: [path("customerId")], responses: [200: ("The link", ref("MemberLink"))]),
            "post": operation("replaceMemberLink", "A new private link; the old link and codes made from it stop working", tag: "customers",
                              parameters: [path("customerId")], responses: [201: ("The new link", ref("MemberLink"))]),
        ],

        "/api/v1/devices": [
            "post": operation("createDevice", "Create a device; its key is in this answer only", tag: "devices", body: "DeviceInput",
                              responses: [201: ("Created", ref("CreatedDevice"))]),
            "get": operation("listDevices", "List devices", tag: "devices",
                             parameters: pageParameters + [query("locationId", "Only this location's", uuid)],
                             responses: [200: ("A page of devices", page("Device"))]),
        ],
        "/api/v1/devices/{deviceId}/events": [
            "post": operation("deviceEvent", "A card read, PIN or member code from this device (bearer: the device's own key). "
                              + "The same eventId again returns the first answer and changes nothing.", tag: "devices",
                              parameters: [path("deviceId")], body: "DeviceEventInput",
                              responses: [200: ("What happened", ref("DeviceEventAnswer"))]),
        ],
        "/api/v1/integrations/doors/{deviceId}": [
            "post": operation("doorEvent", "A door unlocked by a door system's user, signed with the door device's key. Answers as device "
                              + "events do; an unmapped door answers ignored. The same eventId again returns the first answer.",
                              tag: "doors", parameters: [path("deviceId")], body: "DoorEventInput",
                              responses: [200: ("What happened", ref("DeviceEventAnswer"))], signedBy: "footfallSignature"),
        ],
        "/api/v1/integrations/kisi/{deviceId}": [
            "post": operation("kisiEvent", "Kisi's event webhook. A successful lock.unlock by a user is an unlock of door object_id; "
                              + "every other event answers ignored. uuid is the event id.",
                              tag: "doors", parameters: [path("deviceId")], body: "KisiEvent",
                              responses: [200: ("What happened", ref("DeviceEventAnswer"))], signedBy: "kisiSignature"),
        ],
        "/api/v1/devices/{deviceId}": [
            "get": operation("getDevice", "Get a device", tag: "devices", parameters: [path("deviceId")],
                             responses: [200: ("The device", ref("Device"))]),
            "patch": operation("updateDevice", "Change a device's name, location, direction, door map or NAS fields; null clears the "
                               + "door map or a NAS field. The kind and the key stay.", tag: "devices", parameters: [path("deviceId")],
                               body: "DevicePatch", responses: [200: ("The device", ref("Device"))]),
            "delete": operation("deleteDevice", "Remove a device; its key stops working", tag: "devices", parameters: [path("deviceId")],
                                responses: [204: ("Removed", nil)]),
        ],

        "/api/v1/check-ins": [
            "post": operation("checkIn", "Check a customer in", tag: "check-ins", body: "CheckInInput", responses: [
                201: ("Checked in", ref("CheckIn")), 200: ("Already in at this location: the open check-in", ref("CheckIn")),
                422: ("check_in_refused, with the reason and the failed check-in's id", ref("Problem")),
            ]),
            "get": operation("listCheckIns", "List visits, newest first", tag: "check-ins", parameters: pageParameters + [
                query("locationId", nil, uuid), query("customerId", nil, uuid), query("from", "Checked in at or after", time),
                query("to", "Checked in before", time), query("open", "true: only still in; false: only closed", ["type": "boolean"]),
            ], responses: [200: ("A page of visits", page("CheckIn"))]),
        ],
        "/api/v1/check-ins/{checkInId}/check-out": [
            "post": operation("checkOut", "Check a visit out", tag: "check-ins", parameters: [path("checkInId")], body: "CheckOutInput",
                              optionalBody: true,
                              responses: [200: ("Checked out", ref("CheckIn")), 409: ("already_checked_out", ref("Problem"))]),
        ],
        "/api/v1/check-ins/{checkInId}": [
            "patch": operation("editCheckIn", "Correct a visit's times (audit-logged)", tag: "check-ins", parameters: [path("checkInId")],
                               body: "CheckInEdit", responses: [200: ("The visit", ref("CheckIn"))]),
        ],
        "/api/v1/events/stream": [
            "get": operation("eventStream", "Server-Sent Events as this server commits them: `check_in` and `check_out` with the "
                             + "CheckIn object, `failed_check_in` with the FailedCheckIn object; a comment every 15 s", tag: "check-ins",
                             responses: [200: ("A stream that stays open; read it with a timeout", ["type": "string"])],
                             answers: "text/event-stream"),
        ],
        "/api/v1/imports/customers": [
            "post": operation("importCustomers", "Create and update customers (by email) from CSV with the columns "
                              + "name,email,kind,plan,active,pin,cards,externalIds,passes; all or nothing", tag: "customers",
                              parameters: [query("dryRun", "true: check every line and count what would change, write nothing", ["type": "boolean"])],
                              responses: [200: ("What was created, updated and left unchanged", ref("ImportSummary")),
                                          422: ("invalid_import: errors lists every bad line (line, column, code, detail); nothing was written",
                                                ref("Problem")),
                                          415: ("unsupported_media_type: the body is not text/csv", ref("Problem")),
                                          413: ("payload_too_large: the file is over 20 MB", ref("Problem"))])
                .merging(["requestBody": ["required": true, "content": ["text/csv": ["schema": ["type": "string"]]]]]),
        ],
        "/api/v1/exports/check-ins": [
            "get": operation("exportCheckIns", "Every visit that began in [from, to) (default: all), by location, then time, as CSV "
                             + "(streamed; cells that would start a formula begin with ')", tag: "reports",
                             parameters: [query("from", nil, time), query("to", nil, time), query("locationId", nil, uuid)],
                             responses: [200: ("CSV with a header line", ["type": "string"])], answers: "text/csv"),
        ],
        "/api/v1/exports/failed-check-ins": [
            "get": operation("exportFailedCheckIns", "Every refused attempt in [from, to) (default: all), by time, as CSV (streamed)",
                             tag: "reports", parameters: [query("from", nil, time), query("to", nil, time), query("locationId", nil, uuid)],
                             responses: [200: ("CSV with a header line", ["type": "string"])], answers: "text/csv"),
        ],
        "/api/v1/reports/presence": [
            "get": operation("presenceReport", "Presence over [from, to) by customer, plan or location day: visits, minutes inside the range "
                             + "(open visits up to now), unique customers. Accept: text/csv gives the same rows as CSV.", tag: "reports",
                             parameters: [
                                 query("from", nil, time, required: true), query("to", nil, time, required: true), query("locationId", nil, uuid),
                                 query("groupBy", "Default customer", enumeration(["customer", "plan", "day"])),
                                 query("kind", "Only members' or only visitors' visits", enumeration(["member", "visitor"])),
                                 query("format", "csv: the rows as CSV, as Accept: text/csv does", enumeration(["json", "csv"])),
                             ], responses: [200: ("The rows", ref("PresenceReport"))], csv: true),
        ],
        "/api/v1/reports/occupancy": [
            "get": operation("occupancyReport", "People in at a location, per hour of its clock: peak and time-weighted average",
                             tag: "reports", parameters: [
                                 query("locationId", nil, uuid, required: true), query("from", nil, time, required: true),
                                 query("to", nil, time, required: true),
                             ], responses: [200: ("One item per hour", ref("OccupancyReport"))]),
        ],
        "/api/v1/failed-check-ins": [
            "get": operation("listFailedCheckIns", "Refused attempts, newest first", tag: "check-ins", parameters: pageParameters + [
                query("locationId", nil, uuid), query("reason", nil, ref("ReasonCode")), query("from", nil, time), query("to", nil, time),
            ], responses: [200: ("A page of failed check-ins", page("FailedCheckIn"))]),
        ],
    ]

    // MARK: Building blocks

    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let time: JSONValue = ["type": "string", "format": "date-time", "description": "RFC 3339, from 2000 to 2099"]

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func page(_ item: String) -> JSONValue {
        object(["items": ["type": "array", "items": ref(item)], "nextCursor": nullable(["type": "string"])])
    }

    static func nullable(_ schema: JSONValue) -> JSONValue { ["anyOf": [schema, ["type": "null"]]] }

    /// An object whose listed properties are all required unless named in `optional`.
    static func object(_ properties: [String: JSONValue], optional: Set<String> = [], closed: Bool = false) -> JSONValue {
        var schema: JSONValue = ["type": "object", "properties": .object(properties)]
        let required = properties.keys.filter { !optional.contains($0) }.sorted()
        if !required.isEmpty { schema = schema.merging(["required": .array(required.map(JSONValue.string))]) }
        if closed { schema = schema.merging(["additionalProperties": false]) }
        return schema
    }

    private static let pageParameters: [JSONValue] = [
        query("limit", "Page size, 1 to 1000 (default 50)", ["type": "integer", "minimum": 1, "maximum": 1000]),
        query("cursor", "nextCursor of the previous page (anything else: 400)", ["type": "string", "maxLength": 64]),
    ]

    private static func path(_ name: String) -> JSONValue {
        ["name": .string(name), "in": "path", "required": true, "schema": uuid]
    }

    private static func enumeration(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map(JSONValue.string))] }

    private static func query(_ name: String, _ description: String?, _ schema: JSONValue, required: Bool = false) -> JSONValue {
        var parameter: JSONValue = ["name": .string(name), "in": "query", "required": .bool(required), "schema": schema]
        if let description { parameter = parameter.merging(["description": .string(description)]) }
        return parameter
    }

    private static func operation(
        _ id: String, _ summary: String, tag: String, parameters: [JSONValue] = [], body: String? = nil, optionalBody: Bool = false,
        responses: [Int: (String, JSONValue?)], open: Bool = false, signedBy: String? = nil, csv: Bool = false,
        answers media: String = "application/json"
    ) -> JSONValue {
        var all = responses
        if signedBy != nil {
            all[401] = ("invalid_signature: missing, malformed or wrong signature, or its time too far from now; nothing is recorded", ref("Problem"))
            all[400] = ("invalid_request: the detail names the field", ref("Problem"))
            all[413] = ("payload_too_large: the body is over 64 KiB", ref("Problem"))
            all[403] = ("forbidden: a kiosk's or reader's key sent as a bearer token (webhooks are signed, not bearer-authenticated)", ref("Problem"))
        } else if !open {
            all[401] = all[401] ?? ("unauthorized: no valid bearer token", ref("Problem"))
            all[403] = all[403] ?? ("forbidden: a device key on an admin endpoint, or a door's or Wi-Fi device's secret as a device key", ref("Problem"))
            all[400] = all[400] ?? ("invalid_request: the detail names the field", ref("Problem"))
        }
        if body != nil {
            all[415] = all[415] ?? ("unsupported_media_type: the body is not JSON", ref("Problem"))
        }
        if parameters.contains(where: { if case .object(let p) = $0, case .string("path")? = p["in"] { true } else { false } }) {
            all[404] = all[404] ?? ("not_found", ref("Problem"))
        }
        var result: JSONValue = [
            "operationId": .string(id),
            "summary": .string(summary),
            "tags": [.string(tag)],
            "responses": .object(Dictionary(uniqueKeysWithValues: all.map { status, answer in
                var response: JSONValue = ["description": .string(answer.0)]
                if let schema = answer.1 {
                    var content: [String: JSONValue] = [status >= 400 ? "application/problem+json" : media: ["schema": schema]]
                    if csv, status < 400 { content["text/csv"] = ["schema": ["type": "string"]] }
                    response = response.merging(["content": .object(content)])
                }
                return (String(status), response)
            })),
        ]
        if !parameters.isEmpty { result = result.merging(["parameters": .array(parameters)]) }
        if let body {
            result = result.merging(["requestBody": ["required": .bool(!optionalBody), "content": ["application/json": ["schema": ref(body)]]]])
        }
        if open { result = result.merging(["security": []]) }
        if let signedBy { result = result.merging(["security": [.object([signedBy: []])]]) }
        return result
    }
}
