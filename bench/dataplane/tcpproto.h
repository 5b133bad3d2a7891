/* SPDX-License-Identifier: BSD-2-Clause */
/* What tcpload.c sends and tcpserve.c answers: fixed-size requests whose first byte is the verb. */
#ifndef VXK_BENCH_TCPPROTO_H
#define VXK_BENCH_TCPPROTO_H

#define REQ_SIZE 64
#define RESP_SIZE 64
#define REQ_KEEP 'K'  /* answer, keep the connection */
#define REQ_CLOSE 'C' /* answer, then the server closes */
#define REQ_BULK 'B'  /* stream until the client closes */

#endif
