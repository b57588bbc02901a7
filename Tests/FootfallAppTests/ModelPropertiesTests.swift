import Fluent
@testable import FootfallApp
import FootfallCore
import Foundation
import Testing

/// Each model lists its property wrappers itself (Fluent would otherwise find them by reflection
/// on every query, save and decode). A wrapper left out of a list would never be saved or read:
/// each list must name exactly the wrappers reflection finds, in the same order.
@Suite("Models list every stored property")
struct ModelPropertiesTests {
    static let types: [any Fields.Type] = [
        AdminTokenModel.self, AuditEntryModel.self, ServerSecretModel.self, AdminUserModel.self, AdminSessionModel.self,
        ChargeModel.self, CheckInModel.self, FailedCheckInModel.self, CardModel.self, AccessTokenModel.self,
        WifiDeviceModel.self, ExternalIdModel.self, CustomerModel.self, RateColumns.self, DeviceEventModel.self,
        CardKeyModel.self, DeviceModel.self, LocationModel.self, PassModel.self, PlanModel.self, WebhookModel.self,
        WebhookDeliveryModel.self,
    ]

    @Test(arguments: types.map { TypeName($0) })
    func theListedPropertiesAreTheReflectedOnes(_ type: TypeName) {
        let model = type.type.init()
        let reflected = Mirror(reflecting: model).children.compactMap { $0.value as? any AnyProperty }.map(ObjectIdentifier.init)
        #expect(!reflected.isEmpty)
        #expect(model.properties.map(ObjectIdentifier.init) == reflected)
    }

    /// `insert(on:)`, the writer's quick insert, stores what `create(on:)` would: every field set,
    /// nested rate columns, the id and the created time; the model counts as stored after it.
    @Test func aModelInsertedQuicklyReadsBackAsCreated() async throws {
        try await withFootfall { api in
            let made = { (email: String) in
                let customer = CustomerModel()
                customer.name = "Ada"
                customer.email = email
                customer.planId = UUID()
                customer.active = false
                customer.pinHash = "pin-digest-" + email
                customer.memberSecret = "secret-" + email
                customer.memberCodeStep = 42
                customer.kind = CustomerKind.member.rawValue
                customer.payAsYouGo.rate = PayAsYouGoRate(price: 250, increment: 15, dailyMinimum: 300, dailyMaximum: nil)
                return customer
            }
            let quick = made("quick@example.com"), fluent = made("fluent@example.com")
            try await quick.insert(on: api.app.db)
            try await fluent.create(on: api.app.db)
            #expect(quick.id != nil && quick.createdAt != nil && quick.$id.exists)
            let stored = try #require(try await CustomerModel.find(quick.id, on: api.app.db))
            let control = try #require(try await CustomerModel.find(fluent.id, on: api.app.db))
            #expect(stored.email == "quick@example.com")
            for (key, keyPath) in [("name", \CustomerModel.name), ("kind", \.kind)] {
                #expect(stored[keyPath: keyPath] == control[keyPath: keyPath], "\(key)")
            }
            #expect(stored.planId == quick.planId && stored.active == false && stored.pinHash == "pin-digest-quick@example.com")
            #expect(stored.memberCodeStep == 42 && stored.payAsYouGo.rate == control.payAsYouGo.rate && stored.payAsYouGo.rate?.price == 250)
            #expect(abs(stored.createdAt!.timeIntervalSince(quick.createdAt!)) < 0.001)
            stored.name = "Ada L."
            try await stored.update(on: api.app.db)
            #expect(try await CustomerModel.find(quick.id, on: api.app.db)?.name == "Ada L.")
        }
    }

    /// A model type, named in the test's arguments.
    struct TypeName: CustomTestStringConvertible, Sendable {
        let type: any Fields.Type
        init(_ type: any Fields.Type) { self.type = type }
        var testDescription: String { String(describing: type) }
    }
}
