import NIOConcurrencyHelpers
import NIOCore
import PostgresKit
import PostgresNIO

/// A statement the writer runs on every turn, with the same text each time, prepared once on
/// each PostgreSQL connection that runs it. A statement sent with its text is parsed and
/// planned again on every run, and for the writer's statements that took PostgreSQL about as
/// long as running them; a prepared one is parsed once, and PostgreSQL may keep one plan for it
/// (a generic plan). The values go as arrays (`= ANY($1)`, `unnest($1)`), so that the text does
/// not change with how many there are.
protocol RepeatedStatement: PostgresPreparedStatement where Row == PostgresRow {}

extension RepeatedStatement {
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

extension PostgresDatabase {
    /// Runs the statement on a connection of this database (the writer's own, or one from the
    /// pool), preparing it there the first time, and returns its rows as PostgresNIO reads them
    /// (see `ColumnValues` for reading them with the same code as SQLKit's rows).
    ///
    /// If the prepared statement fails, the statement runs again unprepared, and what that says
    /// stands. PostgresNIO keeps a failed preparation (a table a migration renamed for a moment,
    /// a lock timeout, a cancelled query) for the connection's life and answers every later run
    /// with the same error, at once; the unprepared run asks the database again. A connection
    /// whose preparation failed runs the statement unprepared from then on (the first failure
    /// of each statement is logged, as a warning). A constraint the rows broke or a
    /// serialisation failure (SQLSTATE class 23, 40001) is an answer that preparing cannot give:
    /// it stands at once, so that the writer decides the batch again rather than having the same
    /// rows tried a second time. (A deadlock, 40P01, can come of preparing, which takes locks, so
    /// it goes to the unprepared run like any other failure: outside a transaction that runs the
    /// one atomic statement again; inside one it answers 25P02.) The first error also stands when
    /// the unprepared run says only that it aborted the transaction.
    func rows<Statement: RepeatedStatement>(_ statement: Statement) async throws -> [PostgresRow] {
        let logger = logger
        return try await withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                var rows: [PostgresRow] = []
                do {
                    for try await row in try await connection.execute(statement, logger: logger) { rows.append(row) }
                } catch let prepared {
                    if let state = (prepared as? PSQLError)?.serverInfo?[.sqlState], state.hasPrefix("23") || state == "40001" {
                        throw prepared
                    }
                    rows = []
                    do {
                        let unprepared = PostgresQuery(unsafeSQL: Statement.sql, binds: try statement.makeBindings())
                        for try await row in try await connection.query(unprepared, logger: logger) { rows.append(row) }
                    } catch let error as PSQLError where error.serverInfo?[.sqlState] == "25P02" {
                        throw prepared
                    }
                    RepeatedStatementFailures.noteOnce(Statement.name, prepared, logger: logger)
                }
                return rows
            }
        }.get()
    }
}

/// The prepared statements that have failed on some connection and then succeeded unprepared,
/// so that each is logged once rather than on every turn that runs it unprepared.
private enum RepeatedStatementFailures {
    private static let logged = NIOLockedValueBox<Set<String>>([])

    static func noteOnce(_ name: String, _ error: any Error, logger: Logger) {
        guard logged.withLockedValue({ $0.insert(name).inserted }) else { return }
        let state = (error as? PSQLError)?.serverInfo?[.sqlState] ?? "none"
        logger.warning("prepared statement \(name) failed (SQLSTATE \(state)) and succeeded unprepared; where its preparation failed, that connection runs it unprepared from then on (logged once)")
    }
}

/// An array parameter whose elements may be NULL, such as a column's values for an `unnest`:
/// PostgresNIO's own arrays have no NULL elements. Encoded as `array_recv` reads an array: one
/// dimension (none when empty), whether any element is NULL, the element type, the length and
/// lower bound, then each element's length (-1 for NULL) and bytes in the binary format, which
/// is the format of every element type PostgresNIO encodes (its own arrays assume the same).
struct NullableArray<Element: PostgresArrayEncodable & Sendable>: PostgresEncodable, Sendable {
    var elements: [Element?]

    init(_ elements: [Element?]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.psqlArrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) throws {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(elements.contains { $0 == nil } ? 1 : 0, as: Int32.self)
        buffer.writeInteger(Element.psqlType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))
        buffer.writeInteger(1, as: Int32.self)
        for element in elements {
            guard let element else {
                buffer.writeInteger(-1, as: Int32.self)
                continue
            }
            let lengthIndex = buffer.writerIndex
            buffer.writeInteger(0, as: Int32.self)
            try element.encode(into: &buffer, context: context)
            buffer.setInteger(Int32(buffer.writerIndex - lengthIndex - 4), at: lengthIndex)
        }
    }
}
