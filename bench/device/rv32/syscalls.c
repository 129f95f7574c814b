/*
 * The few system services the device image needs, as Linux system calls that qemu-user executes
 * (ecall with the call number in a7): write, exit, and reading input files. Plus the phase marker:
 * an ecall with a number no Linux has, which the counting plugin (bench/device/plugin) sees before
 * qemu-user answers it with -ENOSYS.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "device.h"

#define SYS_OPENAT 56
#define SYS_CLOSE 57
#define SYS_READ 63
#define SYS_WRITE 64
#define SYS_EXIT_GROUP 94
#define AT_FDCWD (-100)

static long ecall3(long n, long a0, long a1, long a2)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a7 __asm__("a7") = n;
	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a7) : "memory");
	return r_a0;
}

void deviceMark(uint32_t phase)
{
	ecall3(DEVICE_MARK_SYSCALL, (long)phase, 0, 0);
}

void _exit(int status)
{
	for (;;)
		ecall3(SYS_EXIT_GROUP, status, 0, 0);
}

void deviceWrite(int fd, const char *text, size_t length)
{
	while (length > 0) {
		long n = ecall3(SYS_WRITE, fd, (long)text, (long)length);
		if (n <= 0)
			return;
		text += n;
		length -= (size_t)n;
	}
}

/* The whole file, in a malloc'ed buffer aligned to 16 bytes (typed-array views need alignment). */
uint8_t *deviceReadFile(const char *path, size_t *size)
{
	long fd = ecall3(SYS_OPENAT, AT_FDCWD, (long)path, 0);
	size_t capacity = 1 << 16, used = 0;
	uint8_t *data;
	if (fd < 0)
		return NULL;
	data = aligned_alloc(16, capacity);
	for (;;) {
		long n;
		if (data == NULL)
			break;
		if (used == capacity) {
			uint8_t *grown = aligned_alloc(16, capacity * 2);
			if (grown)
				memcpy(grown, data, used);
			free(data);
			data = grown;
			capacity *= 2;
			continue;
		}
		n = ecall3(SYS_READ, fd, (long)(data + used), (long)(capacity - used));
		if (n <= 0)
			break;
		used += (size_t)n;
	}
	ecall3(SYS_CLOSE, fd, 0, 0);
	*size = used;
	return data;
}

/* picolibc's stdio: unbuffered, straight to file descriptors 1 and 2. */
static int putOut(char c, FILE *file)
{
	(void)file;
	deviceWrite(1, &c, 1);
	return (unsigned char)c;
}

static int putErr(char c, FILE *file)
{
	(void)file;
	deviceWrite(2, &c, 1);
	return (unsigned char)c;
}

static FILE deviceStdout = FDEV_SETUP_STREAM(putOut, NULL, NULL, _FDEV_SETUP_WRITE);
static FILE deviceStderr = FDEV_SETUP_STREAM(putErr, NULL, NULL, _FDEV_SETUP_WRITE);
FILE *const stdin = NULL;
FILE *const stdout = &deviceStdout;
FILE *const stderr = &deviceStderr;
