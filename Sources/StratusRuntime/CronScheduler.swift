import Foundation
import Logging
import ServiceLifecycle
import StratusModel
import StratusStore

/// Turns due cron ticks into outbox events. A tick missed while the server was down runs once
/// at start-up (the next run is computed from now, not from the missed tick).
public final class CronScheduler: Service, Sendable {
    private let platform: Platform
    private let clock: @Sendable () -> Date
    private let logger: Logger

    /// `clock` tells the time; tests inject their own.
    public init(platform: Platform, clock: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "stratus")) {
        self.platform = platform
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let next: Date?
                do {
                    next = try await tick()
                } catch {
                    // The store being away stops the schedules, not the server; try again shortly.
                    logger.error("cannot read the schedules: \(error)")
                    next = nil
                }
                // Sleep until the next tick, but look again at least every second (a deploy may add one).
                let wait = min(max(next.map { $0.timeIntervalSince(clock()) } ?? 1, 0.01), 1)
                try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
            }
        }
    }

    /// Fires every due schedule once; returns when the next one is due.
    @discardableResult
    public func tick() async throws -> Date? {
        let now = clock()
        var earliest: Date?
        for schedule in try await platform.store.schedules() {
            var nextRun = schedule.nextRun
            if schedule.nextRun <= now {
                guard let cron = try? CronSchedule(parsing: schedule.expression), let following = cron.next(after: now) else {
                    logger.error("schedule `\(schedule.expression)` of \(schedule.app)/\(schedule.function) has no next run")
                    continue
                }
                let node = platform.eventNode(PlacementKey.cron(app: schedule.app, function: schedule.function, tick: schedule.nextRun),
                                              app: schedule.app, function: schedule.function)
                if try await platform.store.fire(schedule, nextRun: following, placedOn: node) { platform.eventBell.signal() }
                nextRun = following
            }
            earliest = min(earliest ?? nextRun, nextRun)
        }
        return earliest
    }
}
