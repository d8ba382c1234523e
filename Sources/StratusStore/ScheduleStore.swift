import Foundation

/// A cron trigger's durable state: when it next runs.
public struct ScheduleRecord: Sendable, Equatable {
    public var app: String
    public var function: String
    public var expression: String
    public var nextRun: Date

    public init(app: String, function: String, expression: String, nextRun: Date) {
        self.app = app
        self.function = function
        self.expression = expression
        self.nextRun = nextRun
    }
}

/// Durable cron schedules. A tick becomes an outbox event in the same transaction that moves
/// the schedule on, so a tick runs once however many schedulers look at it.
public protocol ScheduleStore: Sendable {
    /// Makes `schedules` the app's schedules. One already stored (same function and expression)
    /// keeps its next run, so a redeploy neither skips nor repeats a tick.
    func replaceSchedules(app: String, _ schedules: [ScheduleRecord]) async throws
    func schedules() async throws -> [ScheduleRecord]
    /// Turns a due tick into an event (created at the tick's time, placed on `placedOn`) and sets the schedule's next
    /// run, if the schedule still has the next run `schedule` holds; false if another scheduler fired it first.
    func fire(_ schedule: ScheduleRecord, nextRun: Date, placedOn: String?) async throws -> Bool
}
