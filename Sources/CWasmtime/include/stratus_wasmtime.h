// The part of wasmtime's C API (version 49) that Stratus uses, declared from wasmtime's
// documentation. Nothing is linked: `stratus_wasmtime_load` opens the library at run time and
// fills a table of function pointers, so Stratus builds and runs without it.
#ifndef STRATUS_WASMTIME_H
#define STRATUS_WASMTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wasm_config_t wasm_config_t;
typedef struct wasm_engine_t wasm_engine_t;
typedef struct wasm_valtype_t wasm_valtype_t;
typedef struct wasm_functype_t wasm_functype_t;
typedef struct wasm_trap_t wasm_trap_t;
typedef struct wasmtime_error_t wasmtime_error_t;
typedef struct wasmtime_module_t wasmtime_module_t;
typedef struct wasmtime_store_t wasmtime_store_t;
typedef struct wasmtime_context_t wasmtime_context_t;
typedef struct wasmtime_caller_t wasmtime_caller_t;
typedef struct wasmtime_linker_t wasmtime_linker_t;
typedef struct wasmtime_instance_pre_t wasmtime_instance_pre_t;
typedef struct wasmtime_pooling_allocation_config_t wasmtime_pooling_allocation_config_t;

/// A vector of bytes (also a name or a message); `wasm_byte_vec_delete` frees what the library made.
typedef struct { size_t size; uint8_t *data; } wasm_byte_vec_t;
typedef struct { size_t size; wasm_valtype_t **data; } wasm_valtype_vec_t;

/// An instance, function and memory of a store, as handles the library defines.
typedef struct { uint64_t store_id; size_t index; } wasmtime_instance_t;
typedef struct { uint64_t store_id; void *private_; } wasmtime_func_t;
// The identifier and first private field form a struct of their own, padded to 16 bytes.
typedef struct { struct { uint64_t store_id; uint32_t private1; } id; uint32_t private2; } wasmtime_memory_t;

#define STRATUS_EXTERN_FUNC 0
#define STRATUS_EXTERN_MEMORY 3

typedef struct {
    uint8_t kind;
    union {
        wasmtime_func_t func;
        wasmtime_memory_t memory;
        uint8_t bytes[24]; // the largest members, a memory or a global, are 24 bytes
    } of;
} wasmtime_extern_t;

/// A value as the unchecked call interface passes it: arguments in, results out, in place.
typedef union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint8_t v128[16];
    uint32_t ref;
    void *funcref;
} wasmtime_val_raw_t;

// The library reads and writes these in place: their sizes must be its own.
_Static_assert(sizeof(wasmtime_instance_t) == 16, "wasmtime_instance_t");
_Static_assert(sizeof(wasmtime_func_t) == 16, "wasmtime_func_t");
_Static_assert(sizeof(wasmtime_memory_t) == 24, "wasmtime_memory_t");
_Static_assert(sizeof(wasmtime_extern_t) == 32, "wasmtime_extern_t");
_Static_assert(sizeof(wasmtime_val_raw_t) == 16, "wasmtime_val_raw_t");

#define STRATUS_VALKIND_I32 0
#define STRATUS_VALKIND_I64 1
#define STRATUS_VALKIND_F32 2
#define STRATUS_VALKIND_F64 3

#define STRATUS_TRAP_CODE_STACK_OVERFLOW 0
#define STRATUS_TRAP_CODE_INTERRUPT 10
#define STRATUS_TRAP_CODE_OUT_OF_FUEL 11

/// Called when a store reaches its epoch deadline: returns NULL and sets the next deadline (in
/// ticks from now) to go on, or an error to stop the guest.
typedef wasmtime_error_t *(*stratus_deadline_callback)(wasmtime_context_t *context, void *data, uint64_t *delta, uint8_t *kind);
typedef wasm_trap_t *(*stratus_host_callback)(void *env, wasmtime_caller_t *caller, wasmtime_val_raw_t *values, size_t count);

/// The functions Stratus calls, by their C API names without the prefix's module.
typedef struct {
    wasm_config_t *(*config_new)(void);
    void (*config_epoch_interruption_set)(wasm_config_t *, bool);
    void (*config_memory_init_cow_set)(wasm_config_t *, bool);
    wasmtime_pooling_allocation_config_t *(*pooling_config_new)(void);
    void (*pooling_config_delete)(wasmtime_pooling_allocation_config_t *);
    void (*pooling_config_total_core_instances_set)(wasmtime_pooling_allocation_config_t *, uint32_t);
    void (*pooling_config_total_memories_set)(wasmtime_pooling_allocation_config_t *, uint32_t);
    void (*pooling_config_total_tables_set)(wasmtime_pooling_allocation_config_t *, uint32_t);
    void (*pooling_config_max_memory_size_set)(wasmtime_pooling_allocation_config_t *, size_t);
    void (*pooling_config_linear_memory_keep_resident_set)(wasmtime_pooling_allocation_config_t *, size_t);
    void (*pooling_config_table_keep_resident_set)(wasmtime_pooling_allocation_config_t *, size_t);
    void (*pooling_strategy_set)(wasm_config_t *, const wasmtime_pooling_allocation_config_t *);
    wasm_engine_t *(*engine_new_with_config)(wasm_config_t *);
    void (*engine_delete)(wasm_engine_t *);
    void (*engine_increment_epoch)(wasm_engine_t *);

    wasmtime_error_t *(*module_new)(wasm_engine_t *, const uint8_t *, size_t, wasmtime_module_t **);
    void (*module_delete)(wasmtime_module_t *);
    wasmtime_error_t *(*module_serialize)(const wasmtime_module_t *, wasm_byte_vec_t *);
    wasmtime_error_t *(*module_deserialize)(wasm_engine_t *, const uint8_t *, size_t, wasmtime_module_t **);
    void (*byte_vec_delete)(wasm_byte_vec_t *);

    wasm_valtype_t *(*valtype_new)(uint8_t);
    void (*valtype_vec_new)(wasm_valtype_vec_t *, size_t, wasm_valtype_t *const *);
    wasm_functype_t *(*functype_new)(wasm_valtype_vec_t *, wasm_valtype_vec_t *);
    void (*functype_delete)(wasm_functype_t *);

    wasmtime_store_t *(*store_new)(wasm_engine_t *, void *, void (*)(void *));
    wasmtime_context_t *(*store_context)(wasmtime_store_t *);
    void (*store_limiter)(wasmtime_store_t *, int64_t, int64_t, int64_t, int64_t, int64_t);
    void (*store_delete)(wasmtime_store_t *);
    void (*store_epoch_deadline_callback)(wasmtime_store_t *, stratus_deadline_callback, void *, void (*)(void *));
    void *(*context_get_data)(const wasmtime_context_t *);
    void (*context_set_data)(wasmtime_context_t *, void *);
    void (*context_set_epoch_deadline)(wasmtime_context_t *, uint64_t);

    wasmtime_linker_t *(*linker_new)(wasm_engine_t *);
    void (*linker_delete)(wasmtime_linker_t *);
    wasmtime_error_t *(*linker_define_func_unchecked)(wasmtime_linker_t *, const char *, size_t, const char *, size_t,
                                                      const wasm_functype_t *, stratus_host_callback, void *, void (*)(void *));
    wasmtime_error_t *(*linker_instantiate_pre)(const wasmtime_linker_t *, const wasmtime_module_t *, wasmtime_instance_pre_t **);
    wasmtime_error_t *(*instance_pre_instantiate)(const wasmtime_instance_pre_t *, wasmtime_context_t *, wasmtime_instance_t *,
                                                  wasm_trap_t **);
    void (*instance_pre_delete)(wasmtime_instance_pre_t *);
    bool (*instance_export_get)(wasmtime_context_t *, const wasmtime_instance_t *, const char *, size_t, wasmtime_extern_t *);

    wasmtime_error_t *(*func_call_unchecked)(wasmtime_context_t *, const wasmtime_func_t *, wasmtime_val_raw_t *, size_t, wasm_trap_t **);
    wasmtime_context_t *(*caller_context)(wasmtime_caller_t *);
    uint8_t *(*memory_data)(const wasmtime_context_t *, const wasmtime_memory_t *);
    size_t (*memory_data_size)(const wasmtime_context_t *, const wasmtime_memory_t *);

    void (*error_message)(const wasmtime_error_t *, wasm_byte_vec_t *);
    wasmtime_error_t *(*error_new)(const char *);
    void (*error_delete)(wasmtime_error_t *);
    wasm_trap_t *(*trap_new)(const char *, size_t);
    void (*trap_message)(const wasm_trap_t *, wasm_byte_vec_t *);
    bool (*trap_code)(const wasm_trap_t *, uint8_t *);
    void (*trap_delete)(wasm_trap_t *);

} stratus_wasmtime_api;

/// Opens the library at `path` and fills `api`. NULL on success; otherwise what went wrong
/// (the loader's message, or the first symbol missing), valid until the next call.
const char *stratus_wasmtime_load(const char *path, stratus_wasmtime_api *api);

#endif
