/*
 * QEMU TCG plugin: counts the guest instructions executed and, at every phase-marker ecall of the
 * device image (a7 = TC_MARK_SYSCALL, a0 = phase id), writes "mark <phase> <count so far>" to the
 * output file; "total <count>" at exit. Counting: every translated block, when it runs, adds its
 * instruction count (a callback per executed block, which every plugin API version supports).
 * A block ends at an ecall, so a mark's count includes the marker ecall itself: deterministic.
 *
 *   qemu-riscv32 -plugin ./insn_count.so,out=counts.txt image.elf ...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "plugin-api.h"

#ifndef TC_PLUGIN_API
#error "build with -DTC_PLUGIN_API=<the QEMU plugin API version>"
#endif
#define TC_MARK_SYSCALL 0x7c1

TC_EXPORT int qemu_plugin_version = TC_PLUGIN_API;

static uint64_t executed;
static FILE *out;

static void blockRuns(unsigned int vcpu, void *instructions)
{
	(void)vcpu;
	executed += (uint64_t)(uintptr_t)instructions;
}

static void blockTranslated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	(void)id;
	qemu_plugin_register_vcpu_tb_exec_cb(tb, blockRuns, QEMU_PLUGIN_CB_NO_REGS,
		(void *)(uintptr_t)qemu_plugin_tb_n_insns(tb));
}

static void syscallEntered(qemu_plugin_id_t id, unsigned int vcpu, int64_t num, uint64_t a1, uint64_t a2,
	uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6, uint64_t a7, uint64_t a8)
{
	(void)id; (void)vcpu; (void)a2; (void)a3; (void)a4; (void)a5; (void)a6; (void)a7; (void)a8;
	if (num == TC_MARK_SYSCALL)
		fprintf(out, "mark %u %llu\n", (unsigned)(uint32_t)a1, (unsigned long long)executed);
}

static void atExit(qemu_plugin_id_t id, void *userdata)
{
	(void)id; (void)userdata;
	fprintf(out, "total %llu\n", (unsigned long long)executed);
	fclose(out);
}

TC_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
	const char *path = NULL;
	int i;
	(void)info;
	for (i = 0; i < argc; i++)
		if (strncmp(argv[i], "out=", 4) == 0)
			path = argv[i] + 4;
	if (path == NULL) {
		fprintf(stderr, "insn_count: missing out=FILE\n");
		return 1;
	}
	out = fopen(path, "w");
	if (out == NULL) {
		fprintf(stderr, "insn_count: cannot write %s\n", path);
		return 1;
	}
	qemu_plugin_register_vcpu_tb_trans_cb(id, blockTranslated);
	qemu_plugin_register_vcpu_syscall_cb(id, syscallEntered);
	qemu_plugin_register_atexit_cb(id, atExit, NULL);
	return 0;
}
