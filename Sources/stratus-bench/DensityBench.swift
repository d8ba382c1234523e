import Foundation
import StratusEngine

/// Density: the memory one idle pooled instance holds, and that of 1,000 deployed functions
/// each with the one idle instance made ahead for it.
enum DensityBench {
    static func run(_ item: ColdStartBench.Case, functions: Int, selected: (String) -> Bool) throws {
        guard selected("density") else { return }
        // Idle instances are WasmKit's: wasmtime keeps none.
        let engine = WasmEngine(choice: .wasmkit)
        let compiled = try engine.compile(item.module, path: item.name)
        let before = residentBytes()
        for index in 0..<functions {
            engine.prewarm(compiled, Invocation(input: [], context: ["app": "density", "function": "f\(index)"]))
        }
        while (0..<functions).contains(where: { engine.idleInstances(compiled, app: "density", function: "f\($0)") == 0 }) {
            usleep(10_000)
        }
        let after = residentBytes()
        let each = Double(after - before) / Double(functions)
        print(String(format: "density: %d functions of %@, one idle instance each: %.1f MiB resident (%.0f KiB an instance)",
                     functions, item.name as NSString, Double(after - before) / 1_048_576, each / 1024))
    }

    /// The process's resident set, from /proc.
    private static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
              let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
