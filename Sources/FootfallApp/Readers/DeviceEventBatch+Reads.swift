import Foundation
import PostgresKit

// The reads of a batch of device events on PostgreSQL, each a statement prepared once on each
// connection (`RepeatedStatement`).

/// `load`'s read of earlier answers and taps on PostgreSQL, prepared once on each connection:
/// the wanted device, event id and credential go as three arrays. Each probe is a `LATERAL`
/// subquery that cannot be merged into a join (`OFFSET 0`), so that the one plan PostgreSQL
/// keeps for it looks each one up by index even while `device_events` has never been analysed
/// (a fresh database), where a plain join's kept plan hashed a scan of the whole table.
struct EarlierAnswersAndTaps: RepeatedStatement {
    static let accepted = DeviceEventAnswer.Result.accepted.map(\.rawValue)
    static let name = "footfall_earlier_answers_and_taps"
    /// What both halves select of an event (and SQLite's read of the answers alone, in `load`).
    static let columns = "e.device_id, e.event_id, e.at, e.credential_key, e.answer"
    /// Earlier answers to the event ids `devices`[i], `eventIds`[i] (two arrays).
    static func answers(devices: String, eventIds: String) -> String {
        """
        FROM unnest(\(devices), \(eventIds)) w(device_id, event_id)
        CROSS JOIN LATERAL (SELECT \(columns) FROM device_events e
                            WHERE e.device_id = w.device_id AND e.event_id = w.event_id OFFSET 0) e
        """
    }
    /// Accepted taps at `w.device_id` under the credential `credential`, since `since`.
    static func taps(credential: String, accepted: String, since: String) -> String {
        """
        CROSS JOIN LATERAL (SELECT \(columns) FROM device_events e
                            WHERE e.device_id = w.device_id AND e.credential_key = \(credential)
                              AND e.result = ANY(\(accepted)) AND e.at >= \(since) OFFSET 0) e
        """
    }
    static let sql = """
        SELECT 'answer' AS kind, \(columns) \(answers(devices: "$1", eventIds: "$2"))
        UNION ALL
        SELECT 'tap' AS kind, \(columns) FROM unnest($1, $3) w(device_id, credential_key)
        \(taps(credential: "w.credential_key", accepted: "$4", since: "$5"))
        """
    static let bindingDataTypes: [PostgresDataType] = [.uuidArray, .textArray, .textArray, .textArray, .timestamptz]

    var devices: [UUID]
    var eventIds: [String]
    var credentialKeys: [String?]
    var since: Date

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 5)
        bindings.append(devices)
        bindings.append(eventIds)
        try bindings.append(NullableArray(credentialKeys))
        bindings.append(Self.accepted)
        bindings.append(since)
        return bindings
    }
}

/// A turn of card taps alone on PostgreSQL reads in one statement what `identifyCards` and
/// `EarlierAnswersAndTaps` read in two: the cards' holders with their open visits (`kind`
/// "holder", `CardHolders`' columns, joined as there), earlier answers to the event ids
/// ("answer"), and earlier accepted taps, at each event's device, of every card any of its
/// readings names ("tap"). Each kind leaves the others' columns null. The taps need no holder
/// read first: each reading finds its card in a `LATERAL` probe of its own, and the card its
/// taps under `Ledger.cardCredentialKeySQL`. That is more taps than the double-tap rule asks
/// for (the cards of readings that lost to a more specific one; a card's taps once for each of
/// its keys an event's readings match), which `load` keeps by credential and latest time, and
/// only the chosen card's are looked up.
struct CardTurnReads: RepeatedStatement {
    static let name = "footfall_card_turn_reads"
    static let sql = """
        SELECT 'holder' AS kind, \(CardHolders.columns),
               NULL::uuid AS device_id, NULL::text AS event_id, NULL::timestamptz AS at, NULL::text AS credential_key, NULL::text AS answer
        \(CardHolders.from) WHERE k.key = ANY($1)
        UNION ALL
        SELECT 'answer', \(nulls), \(EarlierAnswersAndTaps.columns) \(EarlierAnswersAndTaps.answers(devices: "$2", eventIds: "$3"))
        UNION ALL
        SELECT 'tap', \(nulls), \(EarlierAnswersAndTaps.columns) FROM unnest($4, $5) w(device_id, reading)
        CROSS JOIN LATERAL (SELECT k.card_id FROM card_keys k WHERE k.key = w.reading OFFSET 0) k
        \(EarlierAnswersAndTaps.taps(credential: Ledger.cardCredentialKeySQL("k.card_id"), accepted: "$6", since: "$7"))
        """
    /// Null for each of `CardHolders`' columns.
    private static let nulls = Array(repeating: "NULL", count: CardHolders.columnList.count).joined(separator: ", ")
    static let bindingDataTypes: [PostgresDataType] = [.textArray, .uuidArray, .textArray, .uuidArray, .textArray, .textArray, .timestamptz]

    var keys: [String]
    var devices: [UUID]
    var eventIds: [String]
    /// Each device with each reading sent from it, once.
    var tapDevices: [UUID] = []
    var tapReadings: [String] = []
    var since: Date

    init(_ prepared: [PreparedDeviceEvent], since: Date) {
        keys = Array(Set(prepared.flatMap(\.cardReadings)))
        devices = prepared.map(\.deviceId)
        eventIds = prepared.map(\.event.eventId)
        var seen: Set<DeviceEventBatch.DeviceKey> = []
        for item in prepared {
            for reading in item.cardReadings where seen.insert(DeviceEventBatch.DeviceKey(device: item.deviceId, text: reading)).inserted {
                tapDevices.append(item.deviceId)
                tapReadings.append(reading)
            }
        }
        self.since = since
    }

    func makeBindings() throws -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 7)
        bindings.append(keys)
        bindings.append(devices)
        bindings.append(eventIds)
        bindings.append(tapDevices)
        bindings.append(tapReadings)
        bindings.append(EarlierAnswersAndTaps.accepted)
        bindings.append(since)
        return bindings
    }
}
