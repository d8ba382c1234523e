import StratusEngine
import StratusModel

/// Sequences and map-reduce plans: compositions of an app's functions, run on the thread that
/// started them (a plan's parts also on helpers from the worker pool).
extension Platform {
    /// Each step's output body is the next step's input; the last step's output is the answer.
    /// A step that fails fails the sequence; one answering a status of 400 or more ends it with
    /// that answer, as an error result ends an OpenWhisk sequence.
    func run(_ app: DeployedApp, _ sequence: SequenceSpec, input: [UInt8], context: [String: String], _ at: Position) throws(InvocationFailure) -> InvocationOutput {
        var output = InvocationOutput(body: input)
        for (index, step) in sequence.steps.enumerated() {
            do {
                output = try run(app, app.manifest.function(named: step)!, input: output.body, context: context, at)
            } catch {
                throw error.explained("step \(index + 1) (`\(step)`) of sequence `\(sequence.name)`")
            }
            if output.status >= 400 { break }
        }
        return output
    }

    /// Splits the input, runs `map` on each part with at most `parallelism` parts at once, and
    /// gives `reduce` the map outputs framed as `kv_scan` pairs keyed by the part's index. A part
    /// that fails, or answers a status of 400 or more, fails the plan.
    func run(_ app: DeployedApp, _ plan: PlanSpec, input: [UInt8], context: [String: String], _ at: Position) throws(InvocationFailure) -> InvocationOutput {
        let parts = try split(input, by: plan, app, context: context, at)
        let mapper = app.manifest.function(named: plan.map)!
        let parallelism = min(plan.parallelism ?? pool.slots, max(parts.count, 1))
        let outputs = try ParallelParts(count: parts.count, parallelism: parallelism, pool: pool).run { index throws(InvocationFailure) in
            var partContext = context
            partContext["part"] = String(index)
            let where_ = "part \(index) of plan `\(plan.name)` (map `\(plan.map)`)"
            let output: InvocationOutput
            do throws(InvocationFailure) {
                output = try self.run(app, mapper, input: parts[index], context: partContext, at)
            } catch {
                throw error.explained(where_)
            }
            guard output.status < 400 else {
                let body = String(decoding: output.body.prefix(200), as: UTF8.self)
                throw InvocationFailure(StratusError(.guestFailure, code: "plan_part_failed", "\(where_) answered status \(output.status): \(body)"), logs: output.logs)
            }
            return output.body
        }
        let framed = KVEntry.frame(outputs.enumerated().map { KVEntry(key: Array(String($0.offset).utf8), value: $0.element) })
        do throws(InvocationFailure) {
            return try run(app, app.manifest.function(named: plan.reduce)!, input: framed, context: context, at)
        } catch {
            throw error.explained("reduce `\(plan.reduce)` of plan `\(plan.name)`")
        }
    }

    private func split(_ input: [UInt8], by plan: PlanSpec, _ app: DeployedApp, context: [String: String], _ at: Position) throws(InvocationFailure) -> [[UInt8]] {
        switch plan.split {
        case .lines(let count): return PlanSplitter.lines(input, count)
        case .bytes(let size): return PlanSplitter.bytes(input, size)
        case .function(let name):
            let output: InvocationOutput
            do {
                output = try run(app, app.manifest.function(named: name)!, input: input, context: context, at)
            } catch {
                throw error.explained("split `\(name)` of plan `\(plan.name)`")
            }
            guard let parts = PlanSplitter.unframe(output.body) else {
                throw InvocationFailure(StratusError(.guestFailure, code: "plan_split_invalid",
                                                     "split `\(name)` of plan `\(plan.name)` answered bytes that are not parts framed as [u32 LE length][bytes]"),
                                        logs: output.logs)
            }
            return parts
        }
    }
}

extension InvocationFailure {
    /// The same failure, its message saying where in a composition it happened.
    func explained(_ place: String) -> InvocationFailure {
        InvocationFailure(StratusError(error.kind, code: error.code, "\(place): \(error.message)"), logs: logs)
    }
}
