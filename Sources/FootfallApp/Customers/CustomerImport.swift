import Algorithms
import CSV
import Fluent
import FootfallCore
import Foundation
import Vapor

/// Customers from another system, as a CSV file: `POST /api/v1/imports/customers`, `footfall
/// import customers FILE` and the admin panel's upload all run this.
///
/// Columns `name,email,kind,plan,active,pin,cards,externalIds,passes` (a header line names them;
/// only `name` and `email` must be there). Rows are matched to customers by email: a new email is
/// a new customer, a known one is updated. The file says who the customer is — name, plan (by
/// its name; empty: none), active (empty: yes) — and what they hold: cards, external ids and
/// passes are added where the customer does not hold them yet, never taken away (a bulk file
/// should not silently take a card off someone); an empty PIN leaves the PIN as it is (an export
/// has no PINs to give back). All or nothing: every bad line is reported at once (line, column,
/// code, detail), and then nothing is written. Importing the same file again changes nothing.
///
/// The file is read with yaslab/CSV.swift (RFC 4180 quoting, quoted line breaks), the mirror's
/// streaming reader; a line number is the record's (the header is line 1), which is the file's
/// line unless a quoted cell before it held a line break.
public enum CustomerImport {
    static let columns = ["name", "email", "kind", "plan", "active", "pin", "cards", "externalIds", "passes"]

    public struct Problem: Codable, Sendable, Equatable {
        public var line: Int
        public var column: String
        public var code: String
        public var detail: String
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var created: Int
        public var updated: Int
        public var unchanged: Int
    }

    /// Bad lines: nothing was written.
    public struct Refusal: Error {
        public var problems: [Problem]
    }

    /// For `footfall import customers`.
    public static func run(_ text: String, dryRun: Bool, in app: Application) async throws -> Summary {
        try await run(text, dryRun: dryRun, pins: app.ledger.pins, on: app.db)
    }

    /// What one line asks for, checked.
    private struct Row {
        var line: Int
        var existing: CustomerModel?
        var name: String
        var email: String
        var planId: UUID?
        var active: Bool
        var pinDigest: String?
        var cards: [CardNumber]
        var externalIds: [(system: String, id: String)]
        var passes: [PassSpec]
    }

    /// A pass as the file writes it: `day`, `day@2026-12-01` (that day only, on the space's
    /// clock) or `time:600` (minutes).
    struct PassSpec: Hashable {
        var text: String
        var kind: PassKind
        var day: LocalDate?
        var minutes: Int?

        init?(_ text: String) {
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if trimmed == "day" {
                self.text = trimmed; kind = .day
            } else if trimmed.hasPrefix("day@"), let day = LocalDate(String(trimmed.dropFirst(4))),
                      DateComponents(calendar: Calendar(identifier: .gregorian), year: day.year, month: day.month, day: day.day).isValidDate {
                self.text = "day@\(day)"; kind = .day; self.day = day
            } else if trimmed.hasPrefix("time:"), let minutes = Int(trimmed.dropFirst(5)), (1...PassInput.maximumMinutes).contains(minutes) {
                self.text = "time:\(minutes)"; kind = .time; self.minutes = minutes
            } else {
                return nil
            }
        }

        /// How a stored pass is written in the file.
        static func text(of pass: PassModel, zone: LocalZone) -> String {
            switch pass.kind {
            case PassKind.time.rawValue: "time:\(pass.minutes ?? 0)"
            default: pass.validFrom.map { "day@\(zone.day(of: $0))" } ?? "day"
            }
        }
    }

    /// At most this many rows a file, and this many bad lines reported (then the file is refused
    /// with those): a file is checked, and written, in one go.
    static let maximumRows = 50_000
    static let maximumProblems = 500

    static func run(_ text: String, dryRun: Bool, pins: PinHasher, on db: any Database) async throws -> Summary {
        let file = try read(text)
        guard !dryRun else { return try check(file, known: try await Known(on: db), pins: pins).summary }
        // What the lines may collide with is read inside the transaction that writes them.
        return try await db.writeTransaction { db in
            let known = try await Known(on: db)
            let (rows, summary) = try check(file, known: known, pins: pins)
            try await write(rows, zone: known.zone, on: db)
            return summary
        }
    }

    /// Every line checked against the database and the lines before it.
    private static func check(_ file: File, known: Known, pins: PinHasher) throws -> (rows: [Row], summary: Summary) {
        let records = file.records
        var problems: [Problem] = []
        var rows: [Row] = []
        var emailLines: [String: Int] = [:]
        var cardKeyLines: [String: Int] = [:]
        var pinLines: [String: Int] = [:]
        var externalLines: [String: Int] = [:]
        for (line, cellCount, cells) in records {
            guard problems.count < maximumProblems else {
                problems.append(Problem(line: line, column: "", code: "too_many_problems", detail: "\(maximumProblems) bad lines and more; the rest is not checked."))
                break
            }
            func report(_ column: String, _ code: String, _ detail: String) { problems.append(Problem(line: line, column: column, code: code, detail: detail)) }
            // A short or long line is reported, not read as if it fitted.
            if cellCount != file.header.count {
                report("", "wrong_cell_count", "The line has \(cellCount) cells, the header \(file.header.count).")
                continue
            }
            // Every cell is one line of text (a quote left open swallows the lines after it).
            if let column = file.header.first(where: { cells[$0, default: ""].contains(where: \.isNewline) }) {
                report(column, "line_break", "A cell holds a line break (a quote left open?).")
                continue
            }
            let name = cells["name", default: ""].trimmingCharacters(in: .whitespaces)
            if name.isEmpty { report("name", "missing_name", "A customer needs a name.") }
            if name.count > 200 { report("name", "name_too_long", "A name has at most 200 characters.") }
            guard let email = try? CustomerInput.normalizedEmail(cells["email", default: ""]) else {
                report("email", "invalid_email", "\(cells["email", default: ""].isEmpty ? "The email is empty" : "This is not an email address").")
                continue
            }
            if let first = emailLines[email] {
                report("email", "duplicate_email", "\(email) is on line \(first) already.")
                continue
            }
            emailLines[email] = line
            let existing = known.customers[email]
            switch cells["kind", default: ""].trimmingCharacters(in: .whitespaces).lowercased() {
            case "", "member": break
            case "visitor": report("kind", "unsupported_kind", "Visitors come in with visitor tokens, not by import.")
            case let other: report("kind", "invalid_kind", "\(other) is not member.")
            }
            // A column the header does not name leaves an existing customer's value as it is.
            var planId = existing?.planId
            if file.header.contains("plan") {
                let planName = cells["plan", default: ""].trimmingCharacters(in: .whitespaces)
                let matches = planName.isEmpty ? [] : known.plans[planName.lowercased()] ?? []
                planId = matches.first
                if !planName.isEmpty, matches.isEmpty { report("plan", "unknown_plan", "There is no plan called \(planName).") }
                if matches.count > 1 { report("plan", "ambiguous_plan", "\(matches.count) plans are called \(planName); rename one.") }
            }
            var active = existing?.active ?? true
            switch cells["active"]?.trimmingCharacters(in: .whitespaces).lowercased() {
            case nil: break
            case "", "true", "yes", "1": active = true
            case "false", "no", "0": active = false
            case let other?: report("active", "invalid_active", "\(other) is not true or false.")
            }
            var pinDigest: String?
            let pin = cells["pin", default: ""].trimmingCharacters(in: .whitespaces)
            if !pin.isEmpty {
                if (try? PinInput(pin: pin).validated()) == nil {
                    report("pin", "invalid_pin", "A PIN is 4 to 8 digits.")
                } else {
                    let digest = pins.digest(pin)
                    if let holder = known.pinHolders[digest], holder != existing?.id {
                        report("pin", "pin_in_use", "Another customer has this PIN.")
                    } else if let first = pinLines[digest] {
                        report("pin", "pin_in_use", "The customer on line \(first) has this PIN.")
                    } else {
                        pinLines[digest] = line
                        pinDigest = digest
                    }
                }
            }
            var cards: [CardNumber] = []
            for text in list(cells["cards"]) {
                // `hex:` says the digits are hex (an all-digit UID would otherwise be read as decimal).
                let hex = text.lowercased().hasPrefix("hex:")
                guard let card = CardNumber(hex ? String(text.dropFirst(4)) : text, format: hex ? .hex : .auto) else {
                    report("cards", "invalid_card", "\(text) is not a card number.")
                    continue
                }
                let holders = Set(card.matchKeys.compactMap { known.cardKeys[$0] })
                let ownAlready = existing.map { known.cards[$0.id!, default: []].contains(card.hex) } ?? false
                if !holders.isEmpty, !ownAlready {
                    // As card registration: any overlap is refused, but the same card again is the customer's own.
                    report("cards", "card_in_use", "\(text): a registered card matches it as some reader reports it.")
                } else if let first = card.matchKeys.compactMap({ cardKeyLines[$0] }).first {
                    report("cards", "card_in_use", "\(text) matches a card on line \(first) as some reader reports it.")
                } else {
                    for key in card.matchKeys { cardKeyLines[key] = line }
                    if !ownAlready { cards.append(card) }
                }
            }
            var externalIds: [(system: String, id: String)] = []
            for text in list(cells["externalIds"]) {
                let parts = text.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, text.count <= 200 else {
                    report("externalIds", "invalid_external_id", "\(text) is not system:id.")
                    continue
                }
                let key = parts[0].lowercased() + ":" + parts[1]
                if let holder = known.externalIds[key], holder != existing?.id {
                    report("externalIds", "external_id_in_use", "Another customer has \(key).")
                } else if let first = externalLines[key] {
                    report("externalIds", "external_id_in_use", "The customer on line \(first) has \(key).")
                } else {
                    externalLines[key] = line
                    if known.externalIds[key] == nil { externalIds.append((parts[0].lowercased(), parts[1])) }
                }
            }
            var passes: [PassSpec] = []
            var held = existing.flatMap { known.passes[$0.id!] } ?? [:]
            for text in list(cells["passes"]) {
                guard let pass = PassSpec(text) else {
                    report("passes", "invalid_pass", "\(text) is not day, day@YYYY-MM-DD or time:MINUTES (1 to \(PassInput.maximumMinutes)).")
                    continue
                }
                // The file lists the passes the customer holds: one held already is not added again.
                if held[pass.text, default: 0] > 0 { held[pass.text]! -= 1 } else { passes.append(pass) }
            }
            rows.append(Row(line: line, existing: existing, name: name, email: email, planId: planId, active: active,
                            pinDigest: pinDigest, cards: cards, externalIds: externalIds, passes: passes))
        }
        guard problems.isEmpty else { throw Refusal(problems: problems) }

        var summary = Summary(created: 0, updated: 0, unchanged: 0)
        var changedEmails: Set<String> = []
        for row in rows {
            if let customer = row.existing {
                let same = customer.name == row.name && customer.planId == row.planId && customer.active == row.active
                    && (row.pinDigest == nil || row.pinDigest == customer.pinHash) && row.cards.isEmpty && row.externalIds.isEmpty && row.passes.isEmpty
                if same { summary.unchanged += 1 } else { summary.updated += 1; changedEmails.insert(customer.email) }
            } else {
                summary.created += 1
            }
        }
        return (rows.filter { $0.existing == nil || changedEmails.contains($0.email) }, summary)
    }

    /// The checked lines written, many rows to a statement: 10,000 customers are a few hundred
    /// statements, not tens of thousands.
    private static func write(_ rows: [Row], zone: LocalZone, on db: any Database) async throws {
        var created: [CustomerModel] = [], changed: [CustomerModel] = [], cards: [CardModel] = [], keys: [CardKeyModel] = []
        var externals: [ExternalIdModel] = [], passes: [PassModel] = []
        for row in rows {
            let customer = row.existing ?? CustomerModel()
            if row.existing == nil {
                customer.id = .timeOrdered()
                customer.memberSecret = SecretToken.make(bytes: 20)
                customer.email = row.email
                customer.kind = CustomerKind.member.rawValue
            }
            customer.name = row.name
            customer.planId = row.planId
            customer.active = row.active
            // Every field given on every new row, nil or not: a many-row insert names the same columns for all.
            if row.existing == nil || row.pinDigest != nil { customer.pinHash = row.pinDigest ?? customer.pinHash }
            if row.existing == nil { created.append(customer) } else { changed.append(customer) }
            let customerId = customer.id!
            for number in row.cards {
                let card = CardModel()
                card.id = .timeOrdered()
                card.customerId = customerId
                card.normalized = number.hex
                cards.append(card)
                keys += number.matchKeys.map { CardKeyModel(cardId: card.id!, key: $0) }
            }
            for external in row.externalIds {
                let model = ExternalIdModel()
                model.customerId = customerId
                model.system = external.system
                model.externalId = external.id
                externals.append(model)
            }
            for spec in row.passes {
                let pass = PassModel()
                pass.customerId = customerId
                pass.kind = spec.kind.rawValue
                pass.minutes = spec.minutes
                pass.locationIds = []
                let start = spec.day.map(zone.start(of:))
                pass.validFrom = start
                pass.validUntil = start.map { zone.start(of: zone.day(of: $0 + 30 * 3600)) }
                passes.append(pass)
            }
        }
        for chunk in created.chunks(ofCount: 500) { try await Array(chunk).create(on: db) }
        for customer in changed { try await customer.update(on: db) }
        for chunk in cards.chunks(ofCount: 500) { try await Array(chunk).create(on: db) }
        for chunk in keys.chunks(ofCount: 500) { try await Array(chunk).create(on: db) }
        for chunk in externals.chunks(ofCount: 500) { try await Array(chunk).create(on: db) }
        for chunk in passes.chunks(ofCount: 500) { try await Array(chunk).create(on: db) }
    }

    /// A file as read: its header, and the records after it by line, each as column → cell.
    struct File: Sendable {
        var header: [String]
        var records: [(line: Int, cellCount: Int, cells: [String: String])]
    }

    private static func read(_ text: String) throws -> File {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true)
        } catch {
            throw Refusal(problems: [Problem(line: 1, column: "", code: "missing_header", detail: "The file has no header line.")])
        }
        let header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        var problems: [Problem] = []
        for column in header where !columns.contains(column) {
            problems.append(Problem(line: 1, column: column, code: "unknown_column", detail: "The columns are \(columns.joined(separator: ", "))."))
        }
        for column in Set(header) where header.filter({ $0 == column }).count > 1 {
            problems.append(Problem(line: 1, column: column, code: "duplicate_column", detail: "The header names \(column) more than once."))
        }
        for column in ["name", "email"] where !header.contains(column) {
            problems.append(Problem(line: 1, column: column, code: "missing_column", detail: "The header must name the \(column) column."))
        }
        guard problems.isEmpty else { throw Refusal(problems: problems) }
        var records: [(line: Int, cellCount: Int, cells: [String: String])] = []
        var line = 1
        while let fields = reader.next() {
            line += 1
            guard records.count < maximumRows else {
                throw Refusal(problems: [Problem(line: line, column: "", code: "too_many_rows",
                                                 detail: "A file holds at most \(maximumRows) customers; split it.")])
            }
            if fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }  // blank lines
            var cells: [String: String] = [:]
            for (column, field) in zip(header, fields) { cells[column] = unescaped(field) }
            records.append((line, fields.count, cells))
        }
        if let error = reader.error {
            throw Refusal(problems: [Problem(line: line, column: "", code: "unreadable_csv", detail: "The file is not CSV as RFC 4180 writes it: \(error).")])
        }
        return File(header: header, records: records)
    }

    /// A cell as written by `CSV.text`, without the `'` it puts before what a spreadsheet would
    /// take as a formula; so an export imports as it was.
    private static func unescaped(_ cell: String) -> String {
        guard cell.hasPrefix("'"), let next = cell.unicodeScalars.dropFirst().first, ["=", "+", "-", "@", "\t", "\r"].contains(next) else { return cell }
        return String(cell.dropFirst())
    }

    private static func list(_ cell: String?) -> [String] {
        (cell ?? "").split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// What the database holds that a line can collide with, read once.
    private struct Known {
        var customers: [String: CustomerModel] = [:]
        /// Plans by their name in lower case (two plans may share one).
        var plans: [String: [UUID]] = [:]
        /// Each customer's cards, normalized.
        var cards: [UUID: Set<String>] = [:]
        var pinHolders: [String: UUID] = [:]
        var cardKeys: [String: UUID] = [:]
        var externalIds: [String: UUID] = [:]
        /// Each customer's passes, as the file writes them, with how many of each.
        var passes: [UUID: [String: Int]] = [:]
        /// The space's clock, for day passes: the first location's.
        var zone: LocalZone

        init(on db: any Database) async throws {
            zone = try await LocationModel.query(on: db).sort(\.$createdAt).first()?.zone ?? LocalZone(timeZone: .gmt)
            for customer in try await CustomerModel.query(on: db).all() {
                customers[customer.email] = customer
                if let pin = customer.pinHash { pinHolders[pin] = customer.id }
            }
            for plan in try await PlanModel.query(on: db).all() { plans[plan.name.lowercased(), default: []].append(plan.id!) }
            var cardHolders: [UUID: UUID] = [:]
            for card in try await CardModel.query(on: db).all() {
                cardHolders[card.id!] = card.customerId
                cards[card.customerId, default: []].insert(card.normalized)
            }
            for key in try await CardKeyModel.query(on: db).all() { cardKeys[key.key] = cardHolders[key.cardId] }
            for external in try await ExternalIdModel.query(on: db).all() { externalIds[external.system + ":" + external.externalId] = external.customerId }
            for pass in try await PassModel.query(on: db).all() {
                passes[pass.customerId, default: [:]][PassSpec.text(of: pass, zone: zone), default: 0] += 1
            }
        }
    }
}
