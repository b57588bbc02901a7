import Fluent
import Algorithms
import FootfallCore
import Foundation
import SQLKit
import Vapor

/// `footfall export FOLDER`: everything an operator takes with them, as CSV files — customers
/// in the import's columns (`name,email,kind,plan,active,pin,cards,externalIds,passes`, the PIN
/// always empty: only its hash is stored), every check-in and every failed check-in as the API's
/// exports write them. Cells are formula-safe.
public enum FolderExport {
    public static let files = ["customers.csv", "check-ins.csv", "failed-check-ins.csv"]

    public enum Refusal: Error, CustomStringConvertible {
        case exists(String)

        public var description: String {
            switch self {
            case .exists(let path): "\(path) exists already; an export never overwrites. Choose another folder."
            }
        }
    }

    /// Writes the files into `folder` (made if missing); returns the rows written to each.
    @discardableResult
    public static func write(to folder: String, from app: Application) async throws -> [String: Int] {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for file in files where FileManager.default.fileExists(atPath: folder + "/" + file) { throw Refusal.exists(folder + "/" + file) }
        var rows: [String: Int] = [:]
        rows["customers.csv"] = try await writeFile(folder + "/customers.csv") { write in try await customers(app.db, to: write) }
        let range = try await ExportsController.Range(everythingOn: app.db)
        let sql = app.db as! any SQLDatabase
        rows["check-ins.csv"] = try await writeFile(folder + "/check-ins.csv") { write in
            try await ExportsController.checkIns(range, from: sql, to: write)
        }
        rows["failed-check-ins.csv"] = try await writeFile(folder + "/failed-check-ins.csv") { write in
            try await ExportsController.failedCheckIns(range, from: sql, to: write)
        }
        return rows
    }

    /// Customers in the import's columns, a page at a time.
    private static func customers(_ db: any Database, to write: (String) async throws -> Void) async throws {
        try await write(CSV.line(["name", "email", "kind", "plan", "active", "pin", "cards", "externalIds", "passes"]))
        let plans = try await PlanModel.query(on: db).all().reduce(into: [UUID: String]()) { $0[$1.id!] = $1.name }
        let zone = try await LocationModel.query(on: db).sort(\.$createdAt).first()?.zone ?? LocalZone(timeZone: .gmt)
        var offset = 0
        while true {
            // Members only: visitors come with their printed tokens, not by import.
            let page = try await CustomerModel.query(on: db).filter(\.$kind == CustomerKind.member.rawValue).sort(\.$email).sort(\.$id)
                .range(offset..<(offset + 500)).all()
            guard !page.isEmpty else { return }
            let ids = page.compactMap(\.id)
            let cards = Dictionary(grouping: try await CardModel.query(on: db).filter(\.$customerId ~~ ids).sort(\.$createdAt).all(), by: \.customerId)
            let external = Dictionary(grouping: try await ExternalIdModel.query(on: db).filter(\.$customerId ~~ ids).all(), by: \.customerId)
            let passes = Dictionary(grouping: try await PassModel.query(on: db).filter(\.$customerId ~~ ids).sort(\.$createdAt).all(), by: \.customerId)
            var text = ""
            for customer in page {
                let id = customer.id!
                text += CSV.line([
                    CSV.text(customer.name), CSV.text(customer.email), "member", CSV.text(customer.planId.flatMap { plans[$0] } ?? ""),
                    customer.active ? "true" : "false", "",
                    // `hex:` and the digits: read back as hex (all digits would be taken as decimal).
                    CSV.text((cards[id] ?? []).map { "hex:" + $0.normalized }.joined(separator: ";")),
                    CSV.text((external[id] ?? []).map { "\($0.system):\($0.externalId)" }.joined(separator: ";")),
                    CSV.text((passes[id] ?? []).map { CustomerImport.PassSpec.text(of: $0, zone: zone) }.joined(separator: ";")),
                ])
            }
            try await write(text)
            offset += page.count
        }
    }

    /// Writes a new file (mode 0600, never over another) and returns its rows, header left out.
    private static func writeFile(_ path: String, _ produce: ((String) async throws -> Void) async throws -> Void) async throws -> Int {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw Refusal.exists(path) }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: false)
        defer { close(descriptor) }
        var lines = 0
        try await produce { text in
            lines += text.components(separatedBy: "\r\n").count - 1
            try handle.write(contentsOf: Data(text.utf8))
        }
        try handle.synchronize()
        return max(0, lines - 1)
    }
}
