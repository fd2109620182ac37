import { createRequire } from 'node:module';
import type * as Amqplib from 'amqplib';
import type Express from 'express';
import type Pg from 'pg';
import type Winston from 'winston';

/**
 * The CommonJS packages the telemetry instruments, loaded with `require`: OpenTelemetry patches
 * a package when it is required, so the services need no ESM loader hook (which cost every
 * service memory and start-up time, and re-wrapped every module it loaded).
 */
const require = createRequire(import.meta.url);

export const express = require('express') as typeof Express;
export const pg = require('pg') as typeof Pg;
export const amqp = require('amqplib') as typeof Amqplib;
export const winston = require('winston') as typeof Winston;
