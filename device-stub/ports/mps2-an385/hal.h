/* SPDX-License-Identifier: Apache-2.0 */
/* hal.h - this board's fws_hal (fwseal/hal.h): NOR flash emulation over the
 * file-backed PSRAM, UART0 as the serial transport, SysTick as the clock. */
#ifndef FWSEAL_MPS2_HAL_H
#define FWSEAL_MPS2_HAL_H

#include "factory.h"
#include "fwseal/hal.h"
#include "pflash.h"

typedef struct board_hal_ctx {
	pflash core;              /* the part of flash the stub core may use */
	pflash factory;           /* the factory sector: read only */
} board_hal_ctx;

/* Fill hal for this board. ctx must outlive hal. */
void board_hal_init(fws_hal *hal, board_hal_ctx *ctx);

#endif /* FWSEAL_MPS2_HAL_H */
