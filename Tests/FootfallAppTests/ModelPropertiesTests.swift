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

    /// `fetch(_:on:)`, the API's lookup by id, reads what FluentKit's `find` reads: every field,
    /// nested rate columns and stored arrays and dictionaries included, the model counting as
    /// stored (an update updates it); an unknown id is nil.
    @Test func aModelFetchedByIdIsTheOneFluentFinds() async throws {
        try await withFootfall { api in
            let db = api.app.db
            let customer = CustomerModel()
            customer.name = "Ada"
            customer.email = "ada@example.com"
            customer.planId = UUID()
            customer.active = false
            customer.pinHash = "pin-digest"
            customer.memberSecret = "secret"
            customer.memberCodeStep = 42
            customer.kind = CustomerKind.visitor.rawValue
            customer.payAsYouGo.rate = PayAsYouGoRate(price: 250, increment: 15, dailyMinimum: 300, dailyMaximum: 2400)
            try await customer.create(on: db)
            let fetched = try #require(try await CustomerModel.fetch(customer.id!, on: db))
            let found = try #require(try await CustomerModel.find(customer.id, on: db))
            #expect(fetched.id == found.id && fetched.name == found.name && fetched.email == found.email && fetched.planId == found.planId)
            #expect(fetched.active == false && fetched.pinHash == "pin-digest" && fetched.memberSecret == "secret" && fetched.memberCodeStep == 42)
            #expect(fetched.kind == CustomerKind.visitor.rawValue && fetched.createdAt == found.createdAt)
            #expect(fetched.payAsYouGo.rate == PayAsYouGoRate(price: 250, increment: 15, dailyMinimum: 300, dailyMaximum: 2400))
            fetched.name = "Ada L."
            try await fetched.update(on: db)
            #expect(try await CustomerModel.find(customer.id, on: db)?.name == "Ada L.")

            let plan = PlanModel()
            plan.name = "Part time"
            plan.locationIds = [UUID(), UUID()]
            plan.accessHours = ["mon": [["08:00", "12:00"], ["13:00", "18:00"]]]
            plan.limitPeriod = "week"
            plan.limitHours = 12.5
            plan.limitEnforce = true
            plan.overtime = "checkout"
            plan.payAsYouGo.rate = PayAsYouGoRate(price: 100)
            try await plan.create(on: db)
            let fetchedPlan = try #require(try await PlanModel.fetch(plan.id!, on: db))
            #expect(fetchedPlan.locationIds == plan.locationIds && fetchedPlan.accessHours == plan.accessHours)
            #expect(fetchedPlan.limitPeriod == "week" && fetchedPlan.limitHours == 12.5 && fetchedPlan.limitDays == nil)
            #expect(fetchedPlan.limitEnforce && fetchedPlan.overtime == "checkout" && fetchedPlan.payAsYouGo.rate?.price == 100)

            #expect(try await CustomerModel.fetch(UUID(), on: db) == nil)
        }
    }

    /// Each model the API looks up by id (`fetch`), made through the API with the fields it can
    /// hold, reads back as FluentKit's `find` reads it: the two encode to the same JSON.
    @Test func everyModelTheAPILooksUpIsFetchedAsFluentFindsIt() async throws {
        try await withFootfall { api in
            let db = api.app.db
            let location = try await api.location(["capacity": 40, "cutoffTime": "03:00",
                                                   "openingHours": ["mon": [["08:00", "18:00"]], "sat": [["10:00", "14:00"]]]])
            let plan = try await api.plan(["locationIds": [location], "accessHours": ["tue": [["09:00", "17:00"]]],
                                           "payAsYouGo": ["price": 100, "dailyMaximum": 800] as [String: any Sendable]])
            let customer = try await api.customer(planId: plan, ["payAsYouGo": ["price": 250, "increment": 30] as [String: any Sendable]])
            let door = try await api.post("/api/v1/devices", ["name": "Front door", "locationId": location, "kind": "door",
                                                              "direction": "in", "doors": ["d-1": "in", "d-2": "out"]])
            let wifi = try await api.post("/api/v1/devices", ["name": "AP", "locationId": location, "kind": "wifi", "nasIdentifier": "ap-1"])
            let webhook = try await api.post("/api/v1/webhooks", ["url": "http://127.0.0.1:9/hook", "events": ["check_in", "charge"],
                                                                  "locationIds": [location]])
            for reply in [door, wifi, webhook] { #expect(reply.status == .created, "\(reply.body)") }
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            func same<M: Model>(_ type: M.Type, _ id: String) async throws where M.IDValue == UUID {
                let id = try #require(UUID(uuidString: id))
                let fetched = try #require(try await M.fetch(id, on: db))
                let found = try #require(try await M.find(id, on: db))
                #expect(try encoder.encode(fetched) == encoder.encode(found), "\(M.self)")
                #expect(fetched._$id.exists)
            }
            try await same(LocationModel.self, location)
            try await same(PlanModel.self, plan)
            try await same(CustomerModel.self, customer)
            try await same(DeviceModel.self, door.id)
            try await same(DeviceModel.self, wifi.id)
            try await same(WebhookModel.self, webhook.id)
        }
    }

    /// A model type, named in the test's arguments.
    struct TypeName: CustomTestStringConvertible, Sendable {
        let type: any Fields.Type
        init(_ type: any Fields.Type) { self.type = type }
        var testDescription: String { String(describing: type) }
    }
}
