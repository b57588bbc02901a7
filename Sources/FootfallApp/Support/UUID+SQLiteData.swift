import Foundation
import SQLiteNIO

// SQLiteKit binds and reads a value directly when its type is `SQLiteDataConvertible`, and
// otherwise through `Encodable`/`Decodable`: an encoder or decoder object for each value, and
// for a UUID Foundation's `snprintf`/`sscanf`. UUIDs and optionals are most of what the ledger's
// writes bind and read (a card event binds about twenty of them), and neither conforms. These two
// conformances give them the direct path with the same stored form: a UUID is the text of
// `uuidString` (upper-case hex, 8-4-4-4-12), as its `Encodable` conformance writes it, and an
// optional is NULL or its value's form.
//
// `@retroactive`: SQLiteNIO declares neither conformance today; should it ever, this file goes.

extension UUID: @retroactive SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) {
        guard case .text(let text) = sqliteData, let uuid = UUID(text: text) else { return nil }
        self = uuid
    }

    public var sqliteData: SQLiteData? { .text(canonicalText) }
}

extension Optional: @retroactive SQLiteDataConvertible where Wrapped: SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) {
        if case .null = sqliteData {
            self = .none
        } else if let value = Wrapped(sqliteData: sqliteData) {
            self = .some(value)
        } else {
            return nil
        }
    }

    public var sqliteData: SQLiteData? {
        switch self {
        case .none: .null
        case .some(let value): value.sqliteData
        }
    }
}

extension UUID {
    /// The UUID's text as `uuidString` writes it (upper-case hex, 8-4-4-4-12), made without
    /// `snprintf` (which Foundation formats it with).
    var canonicalText: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = Self.hexDigits[Int(byte >> 4)]
                    text[at + 1] = Self.hexDigits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    /// The UUID whose text this is, in either case: 36 characters, hyphens after the 8th, 12th,
    /// 16th and 20th, hex digits elsewhere. Read without `sscanf`, and stricter than
    /// `UUID(uuidString:)`, which reads each pair of digits with `%2hhx` and so also takes a sign
    /// or a space in one ("41-7" as 41 F9) and ignores what follows a NUL.
    init?(text: String) {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var text = text
        let parsed = text.withUTF8 { utf8 in
            withUnsafeMutableBytes(of: &value) { bytes in
                guard utf8.count == 36 else { return false }
                var at = 0, index = 0
                while at < 36 {
                    if at == 8 || at == 13 || at == 18 || at == 23 {
                        guard utf8[at] == UInt8(ascii: "-") else { return false }
                        at += 1
                        continue
                    }
                    guard let high = utf8[at].hexDigitValue, let low = utf8[at + 1].hexDigitValue else { return false }
                    bytes[index] = high << 4 | low
                    index += 1
                    at += 2
                }
                return true
            }
        }
        guard parsed else { return nil }
        self.init(uuid: value)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}

// SQLiteData itself: a bind already in SQLite's form (`BatchRows.sqliteInsert`) goes through
// SQLiteKit's encoder as it is, rather than through its `Encodable` conformance, an encoder
// object for each value.
extension SQLiteData: @retroactive SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) { self = sqliteData }

    public var sqliteData: SQLiteData? { self }
}
