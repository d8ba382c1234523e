import Foundation
import StratusModel

/// One piece of a store's state, as a backup carries it between stores.
public enum StateItem: Sendable, Equatable {
    case module(ModuleBlob)
    /// An app with the routes it holds.
    case app(AppRecord, routes: [RouteClaim])
    case kv(app: String, pair: KVPair)
    /// An event in the outbox, pending (due at `notBefore`) or a dead letter.
    case event(EventRecord, notBefore: Date, dead: Bool)
    case schedule(ScheduleRecord)
}

/// Moves a store's whole state out and into another store: backups, restores, and moves
/// between store kinds. The calls block; make them from a thread that may wait.
public protocol StateTransfer: Sendable {
    /// Visits everything the store holds as of one moment while writes go on: modules first,
    /// then apps, keys, events and schedules.
    func exportState(_ visit: (StateItem) throws -> Void) throws
    /// True if the store holds no app, key, event or schedule.
    func isEmpty() throws -> Bool
    /// Calls `produce` with a function that adds one item, all in one transaction: a failure
    /// anywhere leaves the store as it was. Throws `store_not_empty` unless the store is empty.
    func importState(_ produce: (_ add: (StateItem) throws -> Void) throws -> Void) throws
}

extension StratusError {
    public static let storeNotEmpty = StratusError(
        .conflict, code: "store_not_empty",
        "the store already holds apps, keys, events or schedules; restore into a server started on an empty data folder")
}
