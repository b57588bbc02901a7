// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "footfall",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "footfall", targets: ["footfall"]),
    ],
    dependencies: [
        .package(url: "https://github.com/vapor/vapor.git", from: "4.115.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-algorithms.git", from: "1.2.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.21.0"),
    ],
    targets: [
        // The check-in rules: admission, entitlements, usage, automatic check-out.
        // Plain Swift on Foundation; no Vapor, Fluent or NIO, time from an injected clock.
        .target(name: "FootfallCore"),
        // QR codes as SVG, for the rotating member code. No Swift package here provides an encoder.
        .target(name: "QRCode"),
        // The RADIUS wire format (RFC 2865, 2866, 3579) as pure code: packets, attributes,
        // password hiding, CHAP, authenticators. No NIO, no database.
        .target(name: "RADIUS", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // The server: HTTP API, storage (Fluent on SQLite or PostgreSQL), sweeper, demo data.
        .target(
            name: "FootfallApp",
            dependencies: [
                "FootfallCore",
                "QRCode",
                "RADIUS",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Algorithms", package: "swift-algorithms"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            // The pages' stylesheets and scripts, built into the binary (see `Asset`).
            resources: ["base.css", "admin.css", "admin.js", "kiosk.css", "kiosk.js", "member.css", "member.js", "sheet.css"].map { .embedInCode("Pages/Assets/\($0)") }
        ),
        // The `footfall` command: parses the command line and calls into FootfallApp.
        .executableTarget(
            name: "footfall",
            dependencies: [
                "FootfallApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark helpers for scripts/bench: the framework's plain-text reference server and
        // the seeding of benchmark databases.
        .executableTarget(
            name: "footfall-bench",
            dependencies: [
                "FootfallApp",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/FootfallBench"
        ),
        .testTarget(name: "FootfallCoreTests", dependencies: ["FootfallCore", "TestSupport"]),
        // What the test targets share: running tools without holding the cooperative pool.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode", "TestSupport"]),
        .testTarget(name: "RADIUSTests", dependencies: ["RADIUS"]),
        .testTarget(
            name: "FootfallAppTests",
            dependencies: [
                "FootfallApp",
                "RADIUS",
                "TestSupport",
                .product(name: "VaporTesting", package: "vapor"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
