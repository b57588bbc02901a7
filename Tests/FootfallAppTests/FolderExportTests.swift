@testable import FootfallApp
import FootfallCore
import Foundation
import Testing
import VaporTesting

@Suite("footfall export: everything as CSV files in a folder")
struct FolderExportTests {
    @Test func customersCheckInsAndRefusalsAreWrittenWithoutPins() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("footfall-export-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await withFootfall { api in
            let location = try await api.location()
            let plan = try await api.plan(["name": "Flex"])
            let ada = try await api.customer(planId: plan, ["name": "Ada Lovelace", "email": "ada@example.com"])
            #expect(try await api.post("/api/v1/customers/\(ada)/cards", ["number": "0A0B0C0D"]).status == .created)
            #expect(try await api.request(.PUT, "/api/v1/customers/\(ada)/pin", ["pin": "4821"]).status == .noContent)
            #expect(try await api.post("/api/v1/customers/\(ada)/external-ids", ["system": "kisi", "externalId": "4711"]).status == .created)
            _ = try await api.pass(ada, ["kind": "time", "minutes": 600])
            let mallory = try await api.customer(["name": "@SUM(A1)", "email": "m@example.com"])
            #expect(try await api.checkIn(ada, at: location).status == .created)
            #expect(try await api.checkIn(mallory, at: location).status == .unprocessableEntity)

            let rows = try await FolderExport.write(to: folder, from: api.app)
            #expect(rows == ["customers.csv": 2, "check-ins.csv": 1, "failed-check-ins.csv": 1])
            let customers = try String(contentsOfFile: folder + "/customers.csv", encoding: .utf8).components(separatedBy: "\r\n")
            #expect(customers[0] == "name,email,kind,plan,active,pin,cards,externalIds,passes")
            #expect(customers[1] == "Ada Lovelace,ada@example.com,member,Flex,true,,hex:0A0B0C0D,kisi:4711,time:600")
            #expect(customers[2] == "'@SUM(A1),m@example.com,member,,true,,,,")
            // No PIN, nor its hash, anywhere.
            let everything = try FolderExport.files.map { try String(contentsOfFile: folder + "/" + $0, encoding: .utf8) }.joined()
            let hash = try #require(try await CustomerModel.find(UUID(uuidString: ada), on: api.app.db)?.pinHash)
            #expect(!everything.contains("4821") && !everything.contains(hash))
            #expect((try FileManager.default.attributesOfItem(atPath: folder + "/customers.csv")[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            // Never over files already there.
            await #expect(throws: FolderExport.Refusal.self) { try await FolderExport.write(to: folder, from: api.app) }
        }
    }
}
