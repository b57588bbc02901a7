@testable import FootfallApp
import FootfallCore
import Foundation
import Testing

/// Device answers are written by hand on the hot path; a device (and a replayed event id) must
/// get exactly the bytes the API's JSON encoder writes for the same answer.
@Suite("Device answers written by hand")
struct DeviceEventAnswerJSONTests {
    private static func visit(checkedOut: Date?, plan: UUID?, pass: UUID?, device: UUID?) -> CheckInDTO {
        let visit = CheckInModel()
        visit.id = .timeOrdered()
        visit.customerId = UUID()
        visit.locationId = UUID()
        visit.checkedInAt = Date(timeIntervalSince1970: 1_795_000_000.25)
        visit.checkedOutAt = checkedOut
        visit.method = CheckInMethod.rfid.rawValue
        visit.checkOutMethod = checkedOut == nil ? nil : CheckInMethod.kioskPin.rawValue
        visit.deviceId = device
        visit.admittedPlanId = plan
        visit.admittedPassId = pass
        return CheckInDTO(visit)
    }

    static let names = ["Ada Lovelace", "Zoë \"Zed\" O'Brien", "back\\slash / and slash", "tab\there\nnew line\r",
                        "\u{01}\u{08}\u{0C}\u{1F}\u{7F}", "日本語 🎉", ""]

    static let answers: [DeviceEventAnswer] = {
        let customer = { (name: String) in DeviceEventAnswer.Customer(id: UUID(), name: name) }
        var answers: [DeviceEventAnswer] = [
            DeviceEventAnswer(result: .refused, reason: .unknownCredential),
            DeviceEventAnswer(result: .refused, reason: .pinLocked),
            DeviceEventAnswer(result: .ignored),
        ]
        for name in names {
            answers.append(DeviceEventAnswer(result: .ignoredRepeat, customer: customer(name)))
            answers.append(DeviceEventAnswer(result: .refused, reason: .planLimitReached, customer: customer(name)))
        }
        for checkedOut in [nil, Date(timeIntervalSince1970: 1_795_003_600)] {
            answers.append(DeviceEventAnswer(result: .checkedIn, customer: customer("Grace"),
                                             checkIn: visit(checkedOut: checkedOut, plan: UUID(), pass: nil, device: UUID())))
            answers.append(DeviceEventAnswer(result: .checkedOut, customer: customer("Grace"),
                                             checkIn: visit(checkedOut: checkedOut, plan: nil, pass: UUID(), device: nil)))
            answers.append(DeviceEventAnswer(result: .alreadyIn, customer: customer("Grace"),
                                             checkIn: visit(checkedOut: checkedOut, plan: nil, pass: nil, device: UUID())))
        }
        return answers
    }()

    @Test(arguments: answers)
    func theBytesAreTheEncodersBytes(_ answer: DeviceEventAnswer) throws {
        let encoded = String(decoding: try RFC3339.jsonEncoder().encode(answer), as: UTF8.self)
        #expect(answer.json == encoded)
    }

    /// The events stream tells check-ins and check-outs the same way.
    @Test(arguments: answers.compactMap(\.checkIn))
    func aCheckInOnItsOwnIsTheEncodersBytesToo(_ checkIn: CheckInDTO) throws {
        #expect(checkIn.json == String(decoding: try RFC3339.jsonEncoder().encode(checkIn), as: UTF8.self))
    }
}

extension DeviceEventAnswer: CustomTestStringConvertible {
    public var testDescription: String { "\(result.rawValue) \(reason?.rawValue ?? "") \(customer?.name.debugDescription ?? "")" }
}
