/* SPDX-License-Identifier: Apache-2.0 */
#include "console.h"

#include "uart.h"

void console_puts(const char *s)
{
	while (*s)
		uart_putc((uint8_t)*s++);
}

void console_kv(const char *key, uint64_t value)
{
	char digits[21];
	unsigned n = 0;

	do {
		digits[n++] = (char)('0' + (int)(value % 10u));
		value /= 10u;
	} while (value != 0);
	console_puts(key);
	uart_putc('=');
	while (n > 0)
		uart_putc((uint8_t)digits[--n]);
	uart_putc('\n');
}
