/* SPDX-License-Identifier: Apache-2.0 */
/*
 * startup.c - Cortex-M3 vector table, reset handler, fault handler, system
 * reset and semihosting exit (ARMv7-M ARM B1.5.2, B1.5.3).
 */
#include <assert.h>
#include <stdint.h>

#include "board.h"
#include "clock.h"
#include "uart.h"

extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

int main(void);
void reset_handler(void);
void fault_handler(void);

/* Fills the unused stack so the tests can read its high-water mark (through
 * the QEMU monitor) and board_stack_intact() can spot a near-overflow. */
static void stack_paint(void)
{
	uintptr_t sp;
	__asm volatile("mov %0, sp" : "=r"(sp));
	/* Stop short of the live frame. */
	for (uint32_t *p = __stack_bottom; (uintptr_t)p < sp - 64u; p++)
		*p = BOARD_STACK_PAINT;
}

bool board_stack_intact(void)
{
	for (unsigned i = 0; i < 16u; i++)
		if (__stack_bottom[i] != BOARD_STACK_PAINT)
			return false;
	return true;
}

uint32_t board_stack_peak(void)
{
	const uint32_t *p = __stack_bottom;
	while (p < __stack_top && *p == BOARD_STACK_PAINT)
		p++;
	return (uint32_t)((const uint8_t *)__stack_top - (const uint8_t *)p);
}

void reset_handler(void)
{
	const uint32_t *src = __data_load;
	for (uint32_t *dst = __data_start; dst < __data_end;)
		*dst++ = *src++;
	for (uint32_t *dst = __bss_start; dst < __bss_end;)
		*dst++ = 0;
	stack_paint();
	(void)main();
	board_reset();
}

/* Any fault is a bug: stop QEMU with a failure status so the test that
 * provoked it fails, instead of hanging. */
void fault_handler(void)
{
	board_exit(0);
}

/* newlib's assert() calls this; its own version prints through stdio,
 * which the firmware does not link. A failed invariant is a fault. */
void __assert_func(const char *file, int line, const char *func, const char *expr)
{
	(void)file;
	(void)line;
	(void)func;
	(void)expr;
	board_exit(0);
}

#define SCB_AIRCR (*(volatile uint32_t *)0xE000ED0Cu)

_Noreturn void board_reset(void)
{
	__asm volatile("dsb" ::: "memory");
	SCB_AIRCR = (0x05FAu << 16) | (1u << 2); /* VECTKEY | SYSRESETREQ */
	__asm volatile("dsb" ::: "memory");
	for (;;) {
	}
}

_Noreturn void board_exit(int ok)
{
	register uint32_t r0 __asm__("r0") = 0x18u;                    /* SYS_EXIT */
	register uint32_t r1 __asm__("r1") = ok ? 0x20026u : 0x20024u; /* AppExit / InternalError */
	__asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
	for (;;) {
	}
}

typedef void (*vector_fn)(void);

/* 16 system exceptions, then external interrupt 0 (UART0 RX, which only
 * wakes the CPU from WFI); no other interrupt is enabled. */
__attribute__((section(".vectors"), used))
static const vector_fn vectors[16 + 1] = {
	(vector_fn)(uintptr_t)__stack_top, /* initial MSP */
	reset_handler,
	fault_handler,  /* NMI */
	fault_handler,  /* HardFault */
	fault_handler,  /* MemManage */
	fault_handler,  /* BusFault */
	fault_handler,  /* UsageFault */
	0, 0, 0, 0,
	fault_handler,  /* SVCall */
	fault_handler,  /* DebugMonitor */
	0,
	fault_handler,  /* PendSV */
	clock_tick_isr, /* SysTick */
	uart_rx_isr,    /* IRQ 0: UART0 RX */
};
