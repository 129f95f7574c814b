/* Services of the RV32 device image (syscalls.c) used by the XS host (host.c, xs_platform.c). */
#ifndef TEMPO_DEVICE_H
#define TEMPO_DEVICE_H

#include <stddef.h>
#include <stdint.h>

/* ecall number of the phase marker; bench/device/plugin/insn_count.c watches for it. */
#define DEVICE_MARK_SYSCALL 0x7c1

void deviceMark(uint32_t phase);
void deviceWrite(int fd, const char *text, size_t length);
uint8_t *deviceReadFile(const char *path, size_t *size);

#endif
