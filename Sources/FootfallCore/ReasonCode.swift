/// Why a check-in attempt was refused. The raw values are the API's stable reason codes.
public enum ReasonCode: String, Codable, Sendable, CaseIterable {
    case pinLocked = "pin_locked"
    case codeLocked = "code_locked"
    case unknownCredential = "unknown_credential"
    case customerInactive = "customer_inactive"
    case locationFull = "location_full"
    case locationClosed = "location_closed"
    case planLocationNotAllowed = "plan_location_not_allowed"
    case outsideAccessHours = "outside_access_hours"
    case planLimitReached = "plan_limit_reached"
    case noValidPass = "no_valid_pass"
    case tokenExpired = "token_expired"
    case tokenUsedUp = "token_used_up"
    case deviceLimitReached = "device_limit_reached"
}

/// How a visit started or ended. The raw values are the API's.
public enum CheckInMethod: String, Codable, Sendable, CaseIterable {
    case admin
    case kioskPin = "kiosk_pin"
    case memberCode = "member_code"
    case rfid
    case wifi
    case door
    case api
    // Ways a visit is closed without anyone asking.
    case closingTime = "closing_time"
    case wifiIdle = "wifi_idle"
    case timeLimit = "time_limit"
    case moved
}
