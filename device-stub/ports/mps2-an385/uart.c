/* SPDX-License-Identifier: Apache-2.0 */
#include "uart.h"

#include "board.h"

#define UART_REG(off) (*(volatile uint32_t *)(BOARD_UART0_BASE + (off)))
#define UART_DATA    UART_REG(0x00u)
#define UART_STATE   UART_REG(0x04u) /* bit0 TX buffer full, bit1 RX buffer full */
#define UART_CTRL    UART_REG(0x08u) /* bit0 TX enable, bit1 RX enable */
#define UART_INT     UART_REG(0x0Cu) /* read: INTSTATUS, write 1s: INTCLEAR */
#define UART_BAUDDIV UART_REG(0x10u)

#define CTRL_TX_EN    0x1u
#define CTRL_RX_EN    0x2u
#define CTRL_RX_IRQ   0x8u
#define INT_RX        0x2u

/* NVIC (ARMv7-M ARM B3.4): UART0 RX is external interrupt 0 on AN385. */
#define NVIC_ISER0    (*(volatile uint32_t *)0xE000E100u)
#define UART0_RX_IRQ  0u

#define STATE_TX_FULL 0x1u
#define STATE_RX_FULL 0x2u

void uart_init(void)
{
	/* The CMSDK UART needs BAUDDIV >= 16; QEMU does not pace the line, so
	 * the value only has to be legal. 25 MHz / 217 = 115,200 baud. */
	UART_BAUDDIV = BOARD_SYSCLK_HZ / 115200u;
	UART_CTRL = CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_IRQ;
	NVIC_ISER0 = 1u << UART0_RX_IRQ;
}

/* The RX interrupt only ends a WFI (uart_wait_rx); the byte stays in the
 * data register for uart_getc. */
void uart_rx_isr(void)
{
	UART_INT = INT_RX;
}

void uart_wait_rx(void)
{
	/* Sleeping instead of spinning on STATE lets QEMU's I/O thread feed the
	 * UART without fighting the CPU for its lock: several times the
	 * throughput. SysTick wakes us at least every millisecond. */
	if (!uart_rx_ready())
		__asm volatile("wfi" ::: "memory");
}

void uart_putc(uint8_t c)
{
	while (UART_STATE & STATE_TX_FULL) {
	}
	UART_DATA = c;
}

void uart_flush(void)
{
	while (UART_STATE & STATE_TX_FULL) {
	}
}

bool uart_rx_ready(void)
{
	return (UART_STATE & STATE_RX_FULL) != 0;
}

uint8_t uart_getc(void)
{
	return (uint8_t)UART_DATA;
}
