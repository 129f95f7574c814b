/*
 * The part of QEMU's TCG plugin C API that insn_count.c uses, declared here from QEMU's plugin
 * documentation (docs/devel/tcg-plugins.rst) because Debian ships no qemu-plugin.h. These calls
 * have kept their signatures from API version 1 (QEMU 4.2) through the QEMU 9/10 series; what
 * changed is the inline-counter call (qemu_plugin_register_vcpu_tb_exec_inline, gone in QEMU 9),
 * which insn_count.c therefore does not use, and the API version number, which the harness passes
 * as TC_PLUGIN_API (bench/device/toolchain.ts reads it off `qemu-riscv32 --version`).
 */
#ifndef TEMPO_QEMU_PLUGIN_API_H
#define TEMPO_QEMU_PLUGIN_API_H

#include <stdint.h>
#include <stddef.h>

#define TC_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;
struct qemu_info_t;
struct qemu_plugin_tb;

enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_syscall_cb_t)(qemu_plugin_id_t id, unsigned int vcpu_index, int64_t num,
	uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
	enum qemu_plugin_cb_flags flags, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_syscall_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_syscall_cb_t cb);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);

#endif
