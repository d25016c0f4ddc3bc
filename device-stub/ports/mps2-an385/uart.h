/* SPDX-License-Identifier: Apache-2.0 */
/* uart.h - polled driver for the ARM CMSDK APB UART (CMSDK TRM, "APB UART"). */
#ifndef FWSEAL_MPS2_UART_H
#define FWSEAL_MPS2_UART_H

#include <stdbool.h>
#include <stdint.h>

void uart_init(void);
void uart_putc(uint8_t c);
/* Wait until the last byte has left the transmit buffer. */
void uart_flush(void);
bool uart_rx_ready(void);
uint8_t uart_getc(void); /* call only when uart_rx_ready() */
/* Sleep until a byte arrives or another interrupt (SysTick) fires. */
void uart_wait_rx(void);
void uart_rx_isr(void);

#endif /* FWSEAL_MPS2_UART_H */
