#include "stratus_wasmtime.h"

#include <dlfcn.h>
#include <stdio.h>

// Each field and the symbol that fills it.
#define STRATUS_SYMBOLS(X) \
    X(config_new, "wasm_config_new") \
    X(config_epoch_interruption_set, "wasmtime_config_epoch_interruption_set") \
    X(config_memory_init_cow_set, "wasmtime_config_memory_init_cow_set") \
    X(pooling_config_new, "wasmtime_pooling_allocation_config_new") \
    X(pooling_config_delete, "wasmtime_pooling_allocation_config_delete") \
    X(pooling_config_total_core_instances_set, "wasmtime_pooling_allocation_config_total_core_instances_set") \
    X(pooling_config_total_memories_set, "wasmtime_pooling_allocation_config_total_memories_set") \
    X(pooling_config_total_tables_set, "wasmtime_pooling_allocation_config_total_tables_set") \
    X(pooling_config_max_memory_size_set, "wasmtime_pooling_allocation_config_max_memory_size_set") \
    X(pooling_config_linear_memory_keep_resident_set, "wasmtime_pooling_allocation_config_linear_memory_keep_resident_set") \
    X(pooling_config_table_keep_resident_set, "wasmtime_pooling_allocation_config_table_keep_resident_set") \
    X(pooling_strategy_set, "wasmtime_pooling_allocation_strategy_set") \
    X(engine_new_with_config, "wasm_engine_new_with_config") \
    X(engine_delete, "wasm_engine_delete") \
    X(engine_increment_epoch, "wasmtime_engine_increment_epoch") \
    X(module_new, "wasmtime_module_new") \
    X(module_delete, "wasmtime_module_delete") \
    X(module_serialize, "wasmtime_module_serialize") \
    X(module_deserialize, "wasmtime_module_deserialize") \
    X(byte_vec_delete, "wasm_byte_vec_delete") \
    X(valtype_new, "wasm_valtype_new") \
    X(valtype_vec_new, "wasm_valtype_vec_new") \
    X(functype_new, "wasm_functype_new") \
    X(functype_delete, "wasm_functype_delete") \
    X(store_new, "wasmtime_store_new") \
    X(store_context, "wasmtime_store_context") \
    X(store_limiter, "wasmtime_store_limiter") \
    X(store_delete, "wasmtime_store_delete") \
    X(store_epoch_deadline_callback, "wasmtime_store_epoch_deadline_callback") \
    X(context_get_data, "wasmtime_context_get_data") \
    X(context_set_data, "wasmtime_context_set_data") \
    X(context_set_epoch_deadline, "wasmtime_context_set_epoch_deadline") \
    X(linker_new, "wasmtime_linker_new") \
    X(linker_delete, "wasmtime_linker_delete") \
    X(linker_define_func_unchecked, "wasmtime_linker_define_func_unchecked") \
    X(linker_instantiate_pre, "wasmtime_linker_instantiate_pre") \
    X(instance_pre_instantiate, "wasmtime_instance_pre_instantiate") \
    X(instance_pre_delete, "wasmtime_instance_pre_delete") \
    X(instance_export_get, "wasmtime_instance_export_get") \
    X(func_call_unchecked, "wasmtime_func_call_unchecked") \
    X(caller_context, "wasmtime_caller_context") \
    X(memory_data, "wasmtime_memory_data") \
    X(memory_data_size, "wasmtime_memory_data_size") \
    X(error_message, "wasmtime_error_message") \
    X(error_new, "wasmtime_error_new") \
    X(error_delete, "wasmtime_error_delete") \
    X(trap_new, "wasmtime_trap_new") \
    X(trap_message, "wasm_trap_message") \
    X(trap_code, "wasmtime_trap_code") \
    X(trap_delete, "wasm_trap_delete")

static char message[512];

const char *stratus_wasmtime_load(const char *path, stratus_wasmtime_api *api) {
    // Local: wasmtime's symbols stay out of the global namespace.
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        const char *error = dlerror();
        snprintf(message, sizeof message, "%s", error ? error : "dlopen failed");
        return message;
    }
#define STRATUS_LOAD(field, symbol) \
    *(void **)&api->field = dlsym(library, symbol); \
    if (api->field == NULL) { \
        snprintf(message, sizeof message, "it has no symbol `%s`", symbol); \
        dlclose(library); \
        return message; \
    }
    STRATUS_SYMBOLS(STRATUS_LOAD)
#undef STRATUS_LOAD
    return NULL;
}
