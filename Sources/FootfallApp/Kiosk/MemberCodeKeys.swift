import Crypto
import Fluent
import Foundation
import SQLKit

/// The keys of members' rotating codes: derived from the member link's secret under the server
/// key, so the code's key is neither the link (which may be shared or bookmarked) nor anything a
/// copy of the database holds. A new member link changes the key, so old codes stop working.
struct MemberCodeKeys: Sendable {
    let serverKey: ServerKey

    func totp(memberSecret: String) -> TimeStepCode {
        TimeStepCode(key: Data(HMAC<SHA256>.authenticationCode(for: Data(("member code:" + memberSecret).utf8),
                                                       using: SymmetricKey(data: Data(serverKey.value.utf8)))))
    }
}
