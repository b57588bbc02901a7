import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import RADIUS
import Vapor

/// Footfall's RADIUS server: authentication and accounting on two UDP ports, answering the
/// `wifi` devices. Datagrams are read on NIO's event loops and handed to `RADIUSService`, which
/// answers only after what a request changed is stored.
final class RADIUSServer: Sendable {
    let authenticationPort: Int
    let accountingPort: Int
    private let channels: [any Channel]
    private let service: RADIUSService

    private init(authenticationPort: Int, accountingPort: Int, channels: [any Channel], service: RADIUSService) {
        self.authenticationPort = authenticationPort
        self.accountingPort = accountingPort
        self.channels = channels
        self.service = service
    }

    /// Binds both ports on `host` (port 0 picks a free one).
    static func start(_ app: Application, host: String, ports: Settings.RADIUSPorts) async throws -> RADIUSServer {
        let service = RADIUSService(ledger: app.ledger, database: app.db, clock: app.settings.clock, logger: app.logger)
        var channels: [any Channel] = []
        do {
            for (port, role) in [(ports.authentication, RADIUSService.Role.authentication), (ports.accounting, .accounting)] {
                // No SO_REUSEADDR: for UDP it lets two sockets share a port, and a port picked by
                // the kernel (0) could then be another server's.
                let channel = try await DatagramBootstrap(group: app.eventLoopGroup)
                    .channelOption(.socketOption(.so_rcvbuf), value: 4 << 20)
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Packet.maximumLength))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(RADIUSHandler(service: service, role: role))
                        }
                    }
                    .bind(host: host, port: port).get()
                channels.append(channel)
            }
        } catch {
            for channel in channels { try? await channel.close() }
            throw error
        }
        let server = RADIUSServer(authenticationPort: channels[0].localAddress?.port ?? ports.authentication,
                                  accountingPort: channels[1].localAddress?.port ?? ports.accounting, channels: channels, service: service)
        app.logger.notice("RADIUS listening on \(host) ports \(server.authenticationPort) (authentication) and \(server.accountingPort) (accounting)")
        return server
    }

    /// Requests read and not yet answered or dropped.
    var requestsInFlight: Int { service.inFlight }

    /// Stops reading, then lets the requests being processed finish (up to 10 s), so that none
    /// is cut off from the database half-way.
    func stop() async {
        for channel in channels { try? await channel.close() }
        for _ in 0..<1000 where requestsInFlight > 0 { try? await Task.sleep(for: .milliseconds(10)) }
    }
}

/// Reads datagrams and writes the service's replies back to their senders.
private final class RADIUSHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let service: RADIUSService
    let role: RADIUSService.Role

    init(service: RADIUSService, role: RADIUSService.Role) {
        self.service = service
        self.role = role
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        let datagram = Array(envelope.data.readableBytesView)
        let sender = envelope.remoteAddress
        let channel = context.channel
        let service = service, role = role
        guard service.admit() else { return }
        Task {
            defer { service.inFlightCount.withLockedValue { $0 -= 1 } }
            guard let reply = await service.handle(datagram, from: sender, role: role) else { return }
            let buffer = channel.allocator.buffer(bytes: reply)
            channel.writeAndFlush(AddressedEnvelope(remoteAddress: sender, data: buffer), promise: nil)
        }
    }
}

/// Starts the RADIUS server with `footfall serve` and stops it with the application.
struct RADIUSLifecycle: LifecycleHandler {
    let host: String
    let ports: Settings.RADIUSPorts

    func didBootAsync(_ application: Application) async throws {
        application.storage[ServerKey.self] = try await RADIUSServer.start(application, host: host, ports: ports)
    }

    func shutdownAsync(_ application: Application) async {
        await application.storage[ServerKey.self]?.stop()
    }

    private struct ServerKey: StorageKey { typealias Value = RADIUSServer }
}
