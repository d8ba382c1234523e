import Foundation

/// A new app folder for `stratus new`: a manifest, one function that greets and counts its
/// visits in KV, and `build.sh`, the build step `stratus build` runs (nothing to do for
/// JavaScript and WAT, which Stratus compiles at deploy).
struct AppTemplate {
    enum Language: String, CaseIterable {
        case c, rust, js, wat
    }

    let app: String
    let language: Language
    /// The repository's `sdk` folder, which C and Rust guests build against.
    let sdk: String

    /// Path in the folder → contents.
    var files: [String: String] {
        var files = ["stratus.yaml": manifest, "build.sh": buildScript]
        switch language {
        case .c: files["hello.c"] = cSource
        case .rust:
            files["Cargo.toml"] = cargo
            files["hello.rs"] = rustSource
            files[".gitignore"] = "/target/\n/Cargo.lock\n"
        case .js: files["hello.js"] = jsSource
        case .wat: files["hello.wat"] = watSource
        }
        return files
    }

    private var module: String {
        switch language {
        case .c, .rust: "hello.wasm"
        case .js: "hello.js"
        case .wat: "hello.wat"
        }
    }

    private var manifest: String {
        """
        # \(app): made by `stratus new \(app) --lang \(language.rawValue)`. Build with `stratus build`,
        # deploy with `stratus deploy`, then: curl http://127.0.0.1:8080/\(app)/hello/Ada
        app: \(app)
        functions:
          hello:
            module: \(module)
            http:
              - GET /\(app)/hello/:name
            kv:
              "visits/*": [get, set]

        """
    }

    private var buildScript: String {
        let body: String
        switch language {
        case .c:
            body = """
                # A native-ABI guest in C on the SDK (\(sdk)/c): clang for wasm32-wasi with wasi-libc.
                cc="${CLANG:-$( [ -x /opt/swift/usr/bin/clang ] && echo /opt/swift/usr/bin/clang || echo clang )}"
                rt="$(ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a 2>/dev/null | sort -V | tail -1)"
                "$cc" --target=wasm32-wasi --sysroot=/usr -O2 -Wall -Wextra -I "\(sdk)/c" -nostartfiles -Wl,--no-entry \\
                    -Wl,--export=handle -o hello.wasm hello.c -nodefaultlibs -lc "$rt" -Wl,--strip-debug
                """
        case .rust:
            body = """
                # A guest in Rust on the SDK (\(sdk)/rust), with Debian's toolchain, offline.
                PATH="/usr/bin:/bin:$PATH" RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --target wasm32-wasi --offline
                cp target/wasm32-wasi/release/hello.wasm hello.wasm
                """
        case .js, .wat:
            body = "# Nothing to build: Stratus compiles \(module) at deploy."
        }
        return "#!/bin/sh\n# The build step of \(app); `stratus build` runs it in this folder.\nset -eu\n\(body)\n"
    }

    private var cSource: String {
        """
        /* hello: greets :name and counts the visits in KV (sdk/c/README.md lists the API). */
        #include <string.h>
        #include "stratus_sdk.h"

        ST_EXPORT("handle") void handle(void) {
            st_bytes name;
            if (st_ctx("param.name", &name) != STRATUS_OK || name.len > 500) {
                st_status(400);
                st_write_str("no name\\n");
                return;
            }
            char key[520] = "visits/";
            strcat(key, name.data);
            int64_t visits = 0;
            st_kv_incr(key, 1, &visits);
            st_write_str("Hello, ");
            st_write_str(name.data);
            st_write_str("! (visit ");
            st_write_i64(visits);
            st_write_str(")\\n");
            st_bytes_free(&name);
        }

        """
    }

    private var cargo: String {
        """
        [package]
        name = "hello"
        version = "0.1.0"
        edition = "2021"
        publish = false

        [lib]
        crate-type = ["cdylib"]
        path = "hello.rs"

        [dependencies]
        stratus = { path = "\(sdk)/rust" }

        [profile.release]
        opt-level = "s"
        lto = true
        panic = "abort"
        strip = true

        """
    }

    private var rustSource: String {
        """
        //! hello: greets :name and counts the visits in KV (sdk/rust/README.md lists the API).

        fn hello() -> stratus::Result<()> {
            let name = stratus::param("name")?;
            let visits = stratus::kv::incr(&format!("visits/{}", name), 1)?;
            stratus::write(format!("Hello, {}! (visit {})\\n", name, visits))
        }

        stratus::handler!(hello);

        """
    }

    private var jsSource: String {
        """
        // hello: greets :name and counts the visits in KV (js/README.md lists the API).
        function handle() {
            var name = stratus.ctx('param.name');
            var visits = stratus.kv.incr('visits/' + name, 1);
            stratus.write('Hello, ' + name + '! (visit ' + visits + ')\\n');
        }

        """
    }

    private var watSource: String {
        """
        ;; hello: greets :name (docs/ABI.md lists the imports).
        (module
          (import "stratus" "ctx" (func $ctx (param i32 i32) (result i32)))
          (import "stratus" "buf_read" (func $buf_read (param i32 i32 i32 i32) (result i32)))
          (import "stratus" "out_write" (func $out_write (param i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 0) "param.name")
          (data (i32.const 16) "Hello, ")
          (data (i32.const 32) "!\\n")
          (func (export "handle") (local $n i32)
            (local.set $n (call $buf_read (call $ctx (i32.const 0) (i32.const 10)) (i32.const 0) (i32.const 64) (i32.const 512)))
            (drop (call $out_write (i32.const 16) (i32.const 7)))
            (drop (call $out_write (i32.const 64) (local.get $n)))
            (drop (call $out_write (i32.const 32) (i32.const 2)))))

        """
    }
}
