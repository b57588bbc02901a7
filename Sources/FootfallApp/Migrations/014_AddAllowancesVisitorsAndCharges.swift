import Fluent
import SQLKit

/// Access tokens with allowances of their own and device limits, visitor customers, the Wi-Fi
/// devices online per token, pay-as-you-go rates on plans and customers, and daily charges.
struct AddAllowancesVisitorsAndCharges: AsyncMigration {
    /// Columns to add, by table: one statement each, as SQLite adds one column at a time.
    private static let columns: [(table: String, name: FieldKey, type: DatabaseSchema.DataType)] = [
        (AccessTokenModel.schema, "has_allowance", .bool), (AccessTokenModel.schema, "minutes", .int),
        (AccessTokenModel.schema, "valid_from", .datetime), (AccessTokenModel.schema, "valid_until", .datetime),
        (AccessTokenModel.schema, "location_ids", .array(of: .uuid)), (AccessTokenModel.schema, "max_devices", .int),
        (AccessTokenModel.schema, "batch_label", .string), (AccessTokenModel.schema, "anonymised_seconds", .double),
        (CustomerModel.schema, "payg_price", .int), (CustomerModel.schema, "payg_increment", .int),
        (CustomerModel.schema, "payg_daily_minimum", .int), (CustomerModel.schema, "payg_daily_maximum", .int),
        (PlanModel.schema, "payg_price", .int), (PlanModel.schema, "payg_increment", .int),
        (PlanModel.schema, "payg_daily_minimum", .int), (PlanModel.schema, "payg_daily_maximum", .int),
        (CheckInModel.schema, "admitted_token_id", .uuid), (CheckInModel.schema, "charged_from", .datetime),
        (CheckInModel.schema, "charge_rate", .string), (CheckInModel.schema, "charge_settled", .bool),
    ]

    func prepare(on database: any Database) async throws {
        for column in Self.columns {
            try await database.schema(column.table).field(column.name, column.type).update()
        }
        try await database.schema(CustomerModel.schema)
            .field("kind", .string, .required, .sql(.default(CustomerKind.member.rawValue)))
            .update()
        try await database.schema(WifiDeviceModel.schema)
            .id()
            .field("check_in_id", .uuid, .required)
            .field("access_token_id", .uuid, .required)
            .field("device", .string, .required)
            .field("nas_id", .uuid)
            .field("session_id", .string)
            .field("ended_at", .datetime)
            .field("created_at", .datetime)
            .create()
        try await database.schema(ChargeModel.schema)
            .id()
            .field("customer_id", .uuid)
            .field("location_id", .uuid, .required)
            .field("day", .string, .required)
            .field("day_start", .datetime, .required)
            .field("minutes", .int, .required)
            .field("amount", .int64, .required)
            .field("currency", .string, .required)
            .field("check_in_ids", .array(of: .uuid), .required)
            .field("created_at", .datetime)
            .unique(on: "customer_id", "location_id", "day")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX check_ins_token ON check_ins (admitted_token_id) WHERE admitted_token_id IS NOT NULL").run()
        try await sql.raw("CREATE INDEX check_ins_unsettled_charges ON check_ins (customer_id) WHERE charged_from IS NOT NULL AND charge_settled IS NULL").run()
        try await database.index("wifi_devices_token", on: WifiDeviceModel.schema, columns: "access_token_id")
        try await database.index("wifi_devices_check_in", on: WifiDeviceModel.schema, columns: "check_in_id")
        try await database.index("charges_day", on: ChargeModel.schema, columns: "day_start")
    }

    func revert(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        try await sql.drop(index: "check_ins_token").run()
        try await sql.drop(index: "check_ins_unsettled_charges").run()
        try await database.schema(ChargeModel.schema).delete()
        try await database.schema(WifiDeviceModel.schema).delete()
        try await database.schema(CustomerModel.schema).deleteField("kind").update()
        for column in Self.columns.reversed() {
            try await database.schema(column.table).deleteField(column.name).update()
        }
    }
}
