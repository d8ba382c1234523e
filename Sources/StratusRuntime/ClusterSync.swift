import Logging
import ServiceLifecycle
import StratusStore

/// Keeps a node in step with the others: a deploy or delete anywhere reloads that app here
/// (its compiled modules replaced), and events added anywhere wake this node's dispatcher.
public final class ClusterSync: Service, Sendable {
    private let platform: Platform
    private let store: any ClusterStore
    private let logger: Logger

    public init(platform: Platform, store: any ClusterStore, logger: Logger = Logger(label: "stratus")) {
        self.platform = platform
        self.store = store
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown { [self] in
            for await change in store.changes() {
                do {
                    switch change {
                    case .app(let name):
                        try await platform.refreshApp(named: name)
                    case .events:
                        platform.eventsChanged()
                    case .resync:
                        try await platform.refreshApps()
                        platform.eventsChanged()
                    }
                } catch {
                    logger.error("could not follow the cluster's change (\(change)): \(error)")
                }
            }
        }
    }
}
