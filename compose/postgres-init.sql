-- generated from the topology; do not edit
CREATE ROLE "user" LOGIN PASSWORD 'user-password';
CREATE DATABASE "user" OWNER "user";
REVOKE CONNECT, TEMPORARY ON DATABASE "user" FROM PUBLIC;
CREATE ROLE "product" LOGIN PASSWORD 'product-password';
CREATE DATABASE "product" OWNER "product";
REVOKE CONNECT, TEMPORARY ON DATABASE "product" FROM PUBLIC;
CREATE ROLE "order" LOGIN PASSWORD 'order-password';
CREATE DATABASE "order" OWNER "order";
REVOKE CONNECT, TEMPORARY ON DATABASE "order" FROM PUBLIC;
CREATE ROLE "payment" LOGIN PASSWORD 'payment-password';
CREATE DATABASE "payment" OWNER "payment";
REVOKE CONNECT, TEMPORARY ON DATABASE "payment" FROM PUBLIC;
CREATE ROLE "notification" LOGIN PASSWORD 'notification-password';
CREATE DATABASE "notification" OWNER "notification";
REVOKE CONNECT, TEMPORARY ON DATABASE "notification" FROM PUBLIC;
CREATE ROLE "providers" LOGIN PASSWORD 'providers-password';
CREATE DATABASE "providers" OWNER "providers";
REVOKE CONNECT, TEMPORARY ON DATABASE "providers" FROM PUBLIC;
