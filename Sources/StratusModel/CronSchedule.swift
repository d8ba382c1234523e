import Foundation

/// A cron expression with seconds (6 fields: second minute hour day-of-month month day-of-week)
/// or without (5 fields, second 0), in UTC. Fields take `*`, numbers, `a-b` ranges, `,` lists
/// and `/n` steps; months and weekdays also take three-letter names. As in classic cron, when
/// both day fields are restricted a day matching either runs.
public struct CronSchedule: Sendable, Hashable, CustomStringConvertible {
    public let description: String
    private let seconds: Set<Int>
    private let minutes: Set<Int>
    private let hours: Set<Int>
    private let days: Set<Int>
    private let months: Set<Int>
    private let weekdays: Set<Int>
    private let daysRestricted: Bool
    private let weekdaysRestricted: Bool

    public init(parsing text: String) throws(StratusError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 || fields.count == 6 else {
            throw Self.invalid(text, "it has \(fields.count) fields; write 5 (minute hour day month weekday) or 6 (second first)")
        }
        let all = fields.count == 6 ? fields : ["0"] + fields
        description = fields.joined(separator: " ")
        seconds = try Self.field(all[0], 0...59, "second", text)
        minutes = try Self.field(all[1], 0...59, "minute", text)
        hours = try Self.field(all[2], 0...23, "hour", text)
        days = try Self.field(all[3], 1...31, "day of month", text)
        months = try Self.field(all[4], 1...12, "month", text,
                                names: ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], firstName: 1)
        // 7 is Sunday too.
        weekdays = Set(try Self.field(all[5], 0...7, "day of week", text,
                                      names: ["sun", "mon", "tue", "wed", "thu", "fri", "sat"], firstName: 0).map { $0 % 7 })
        daysRestricted = all[3] != "*" && all[3] != "?"
        weekdaysRestricted = all[5] != "*" && all[5] != "?"
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// The first time strictly after `date` that the schedule matches; nil if none within 5 years.
    public func next(after date: Date) -> Date? {
        let calendar = Self.calendar
        var t = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date.addingTimeInterval(1))
        t.nanosecond = 0
        let limit = (t.year ?? 0) + 5
        while let year = t.year, year <= limit {
            guard let candidate = calendar.date(from: t) else { return nil }
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: candidate)
            t = c
            t.weekday = nil
            if !months.contains(c.month!) {
                t.month = c.month! + 1; t.day = 1; t.hour = 0; t.minute = 0; t.second = 0
                continue
            }
            if !dayMatches(day: c.day!, weekday: c.weekday! - 1) {
                t.day = c.day! + 1; t.hour = 0; t.minute = 0; t.second = 0
                continue
            }
            if !hours.contains(c.hour!) {
                t.hour = c.hour! + 1; t.minute = 0; t.second = 0
                continue
            }
            if !minutes.contains(c.minute!) {
                t.minute = c.minute! + 1; t.second = 0
                continue
            }
            if !seconds.contains(c.second!) {
                t.second = c.second! + 1
                continue
            }
            return candidate
        }
        return nil
    }

    private func dayMatches(day: Int, weekday: Int) -> Bool {
        switch (daysRestricted, weekdaysRestricted) {
        case (true, true): days.contains(day) || weekdays.contains(weekday)
        case (true, false): days.contains(day)
        case (false, true): weekdays.contains(weekday)
        case (false, false): true
        }
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, _ name: String, _ whole: String,
                              names: [String] = [], firstName: Int = 0) throws(StratusError) -> Set<Int> {
        var values: Set<Int> = []
        func number(_ s: Substring) throws(StratusError) -> Int {
            if let n = Int(s), range.contains(n) { return n }
            if let index = names.firstIndex(of: s.lowercased()) { return index + firstName }
            throw invalid(whole, "`\(s)` is not a valid \(name) (\(range.lowerBound)-\(range.upperBound))")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2, !pieces[0].isEmpty else { throw invalid(whole, "`\(part)` in the \(name) field") }
            var step = 1
            if pieces.count == 2 {
                guard let n = Int(pieces[1]), n > 0 else { throw invalid(whole, "step `\(pieces[1])` in the \(name) field must be a positive number") }
                step = n
            }
            let bounds: ClosedRange<Int>
            if pieces[0] == "*" || pieces[0] == "?" {
                bounds = range
            } else if let dash = pieces[0].firstIndex(of: "-") {
                let low = try number(pieces[0][..<dash]), high = try number(pieces[0][pieces[0].index(after: dash)...])
                guard low <= high else { throw invalid(whole, "range `\(pieces[0])` in the \(name) field runs backwards") }
                bounds = low...high
            } else {
                let n = try number(pieces[0])
                bounds = n...(pieces.count == 2 ? range.upperBound : n)
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    private static func invalid(_ text: String, _ why: String) -> StratusError {
        StratusError(.badRequest, code: "cron_invalid", "cron `\(text)`: \(why)")
    }
}
