/* SPDX-License-Identifier: Apache-2.0 */
#include "clock.h"

#include "board.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

#define TICKS_PER_MS (BOARD_SYSCLK_HZ / 1000u)

static volatile uint32_t ms_count;

void clock_tick_isr(void)
{
	ms_count++;
}

void clock_init(void)
{
	ms_count = 0;
	SYST_RVR = TICKS_PER_MS - 1u;
	SYST_CVR = 0;
	SYST_CSR = 7u; /* ENABLE | TICKINT | CLKSOURCE = processor clock */
}

uint32_t clock_ms(void)
{
	return ms_count;
}

uint64_t clock_ticks(void)
{
	uint32_t ms, cur;
	do {
		ms = ms_count;
		cur = SYST_CVR;
	} while (ms != ms_count);
	return (uint64_t)ms * TICKS_PER_MS + (TICKS_PER_MS - 1u - cur);
}

