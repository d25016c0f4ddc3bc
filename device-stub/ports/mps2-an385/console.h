/* SPDX-License-Identifier: Apache-2.0 */
/* console.h - text output on UART0 for the self-test (never used by the stub,
 * whose UART carries binary frames). */
#ifndef FWSEAL_MPS2_CONSOLE_H
#define FWSEAL_MPS2_CONSOLE_H

#include <stdint.h>

void console_puts(const char *s);
/* Prints "key=value\n" with value in decimal. */
void console_kv(const char *key, uint64_t value);

#endif /* FWSEAL_MPS2_CONSOLE_H */
